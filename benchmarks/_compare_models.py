"""The models of benchmarks/compare.py: key -> letter, label, architecture, activation,
optimizer, batch size and training-time target (lamina/PyTorch), and the other targets."""

INFER_BATCH = 1000
# key -> (letter, label, architecture, activation, optimizer, batch size, train target)
MODELS = {
    "mlp_sigmoid": ("a", "MLP 784-500-500-10 sigmoid, SGD 0.1, b100", "mlp", "sigmoid", "sgd",
                    100, 1.0),
    "mlp_relu": ("b", "MLP 784-500-500-10 relu, SGD 0.1, b100", "mlp", "relu", "sgd", 100, 1.0),
    "cnn_b128": ("c", "seed-001 CNN + ReLU, Adam, b128", "seed_cnn", "relu", "adam", 128, 1.0),
    "cnn_b32": ("d", "seed-001 CNN + ReLU, Adam, b32", "seed_cnn", "relu", "adam", 32, 1.0),
    "cnn_big": ("e", "conv32-pool-conv64-pool-d128, Adam, b128", "big_cnn", "relu", "adam", 128,
                1.25),
    # issue 19: examples/text_cnn.py's network on token ids of 4 fortune categories
    "text_cnn": ("f", "text CNN (Kim) on fortunes ids, Adam, b50", "text_cnn", "relu", "adam", 50,
                 1.0),
    # issue 16: the image-to-image networks, one epoch of 2048 32x32 crops
    "denoise": ("g", "DnCNN denoiser 8x32 + BN, Adam, b32", "imaging", "relu", "adam", 32, 1.0),
    "upscale": ("h", "ESPCN x2 (DepthToSpace), Adam, b32", "imaging", "relu", "adam", 32, 1.0),
    "colorize": ("i", "U-Net colorizer (Conv2DTranspose, Concatenate), Adam, b32", "imaging",
                 "relu", "adam", 32, 1.0),
    "inpaint": ("j", "U-Net inpainter, 3 stages, Adam, b32", "imaging", "relu", "adam", 32, 1.0),
}
LETTERS = {spec[0]: key for key, spec in MODELS.items()}
TARGETS = {"inference": 0.8, "memory": 1.0, "import_s": 0.15}  # issue 5, item 2
