"""Texture synthesis and style transfer on tiny images (16x16, a two-block random network):
a few steps of L-BFGS and Adam, asserting the losses fall by the factors measured when these
tests were written (with a margin), and the mistakes users make."""

import numpy as np
import pytest

from lamina.apps import style

pytest.importorskip("scipy")
rng = np.random.default_rng(0)


def _texture_sample():  # stripes with noise: a texture a 16x16 network can see
    y, x = np.mgrid[0:16, 0:16]
    return (0.5 + 0.3 * np.sin(x * 1.3 + y * 0.4) + 0.1 * rng.random((16, 16)))[..., None] \
        .clip(0, 1).astype("float32")


@pytest.fixture(scope="module")
def gray_net():
    return style.feature_network(channels=1, filters=(8, 16), seed=0)


def test_lbfgs_texture_loss_falls_by_more_than_99_percent_in_30_steps(gray_net):
    # measured: 30 L-BFGS iterations take the style loss to 4.8e-4 of its first step
    result = style.texture(_texture_sample(), steps=30, network=gray_net, verbose=0)
    loss = result.history["style_loss"]
    assert 21 <= len(loss) <= 31 and loss[-1] < 3e-3 * loss[1] < loss[0]
    assert result.image.shape == (16, 16, 1) and result.image.dtype == np.float32
    assert 0 <= result.image.min() and result.image.max() <= 1
    assert np.all(np.diff(result.history["seconds"]) >= 0)


def test_adam_texture_loss_falls_and_bigger_outputs_work(gray_net):
    # measured: 30 Adam steps (learning rate 0.05) leave 0.043 of the style loss
    result = style.texture(_texture_sample(), size=(20, 24), steps=30, optimizer="adam",
                           learning_rate=0.05, network=gray_net, verbose=0)
    loss = result.history["style_loss"]
    assert len(loss) == 31 and loss[-1] < 0.15 * loss[0]
    assert result.image.shape == (20, 24, 1)


def test_transfer_trades_content_for_style():
    pytest.importorskip("skimage")
    content = style.load_image("skimage:chelsea", size=(16, 16))
    painting = style.load_image("skimage:coffee", size=(16, 16))
    net = style.feature_network(channels=3, filters=(8, 16), seed=0)
    seen = []
    result = style.transfer(content, painting, beta=1e3, steps=20, network=net, verbose=0,
                            callback=lambda step, image, parts: seen.append(step))
    h = result.history
    assert seen == list(range(1, len(h["loss"])))
    # measured: the style loss falls to 0.19 of its first step; content loss stays finite
    assert h["style_loss"][-1] < 0.5 * h["style_loss"][0]
    assert h["loss"][-1] < 0.5 * h["loss"][0]
    assert h["content_loss"][0] == 0 < h["content_loss"][-1] < h["loss"][-1]  # from content
    # more weight on content keeps the image closer to the photograph (measured: content
    # loss 0.00092 with beta=1 against 19.1 with beta=1000)
    near = style.transfer(content, painting, beta=1.0, steps=20, network=net, verbose=0)
    assert near.history["content_loss"][-1] < 0.5 * h["content_loss"][-1]


def test_progress_bar_shows_the_losses(gray_net, capsys):
    style.texture(_texture_sample(), steps=3, network=gray_net, verbose=1)
    out = capsys.readouterr().out
    assert "3/3" in out and "style_loss:" in out and "loss:" in out


def test_bad_input_gets_clear_errors(gray_net, tmp_path):
    rgb = np.full((16, 16, 3), 0.5, "float32")
    with pytest.raises(ValueError, match="content image is RGB .* style image is gray"):
        style.transfer(rgb, np.full((16, 16), 0.5), steps=1, verbose=0)
    with pytest.raises(ValueError, match="16x16 pixels and the style image 16x20"):
        style.transfer(rgb, np.full((16, 20, 3), 0.5), steps=1, verbose=0)
    for steps in (0, -3, 2.5):
        with pytest.raises(ValueError, match="steps must be a positive int"):
            style.texture(_texture_sample(), steps=steps, network=gray_net, verbose=0)
    with pytest.raises(ValueError, match="optimizer must be 'lbfgs' or 'adam'"):
        style.texture(_texture_sample(), steps=1, optimizer="sgd", network=gray_net)
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        style.texture(np.full((16, 16), 3.0), steps=1, network=gray_net)
    with pytest.raises(ValueError, match="at least 8x8"):
        style.texture(np.full((4, 16), 0.5), steps=1, network=gray_net)
    with pytest.raises(ValueError, match="takes 1-channel images; the images have 3"):
        style.texture(rgb, steps=1, network=gray_net)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image at all")
    with pytest.raises(ValueError, match="cannot read .*junk.png.* as an image"):
        style.load_image(junk)
    with pytest.raises(FileNotFoundError, match="No such image file"):
        style.load_image(tmp_path / "missing.png")
