"""``TextVectorization``: strings in, token ids (or bag-of-words vectors) out, as in Keras.

Each text goes through three steps: *standardize* (lower-case, strip punctuation), *split*
into tokens (on whitespace), optionally *n-grams*; each token is then looked up in a
vocabulary learned by :meth:`TextVectorization.adapt` (most frequent tokens first) or
given as ``vocabulary=``. The vocabulary is plain data: ``get_config()`` holds it as a
list of strings, so a saved model carries it in its JSON config and loading runs no code.

Index 0 is the padding token ``""`` and index 1 the out-of-vocabulary token ``"[UNK]"``
(``output_mode="int"``); the other modes have ``"[UNK]"`` at index 0 and no padding.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy

from lamina._checks import is_int
from lamina.autograd import Tensor
from lamina.layers.layer import Layer

__all__ = ["TextVectorization"]

PAD, OOV = "", "[UNK]"
#: Keras's ``DEFAULT_STRIP_REGEX``: the punctuation ``strip_punctuation`` removes.
STRIP_REGEX = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = ("whitespace", "character")
OUTPUT_MODES = ("int", "multi_hot", "count", "tf_idf")


class _Words:
    """A vocabulary (special tokens excluded) and its index, held in one plain object: a
    Layer's list and dict attributes are searched for sub-layers on every training step
    (:meth:`Layer._tracked_layers`, as Keras tracks them), and a 20,000-word list and dict
    made that search most of a small text model's step."""

    def __init__(self, tokens: list[str], n_special: int):
        self.tokens = tokens
        self.index = {t: i + n_special for i, t in enumerate(tokens)}


_EXACT_FLOAT32 = 2**24  # float32 holds every integer up to this exactly


def _optional_positive_int(value, name, where, minimum=1):
    if value is None:
        return None
    if not is_int(value) or value < minimum:
        raise ValueError(f"{where}: `{name}` must be None or an integer >= {minimum}; "
                         f"received {name}={value!r}")
    return int(value)


def _choice(value, name, allowed, where, allow_callable=True):
    if value is None or (allow_callable and callable(value)):
        return value
    if isinstance(value, str) and value in allowed:
        return value
    other = ", None" + (" or a callable" if allow_callable else "")
    raise ValueError(f"{where}: `{name}` must be one of {', '.join(map(repr, allowed))}{other}; "
                     f"received {name}={value!r}")


def _ngram_widths(ngrams, where) -> tuple:
    if ngrams is None:
        return ()
    if is_int(ngrams) and ngrams >= 1:
        return tuple(range(1, int(ngrams) + 1))
    if isinstance(ngrams, (list, tuple)) and ngrams and all(is_int(n) and n >= 1
                                                             for n in ngrams):
        return tuple(int(n) for n in ngrams)
    raise ValueError(f"{where}: `ngrams` must be None, a positive integer or a tuple of positive "
                     f"integers; received ngrams={ngrams!r}")


class TextVectorization(Layer):
    """Turns strings into token ids (or multi-hot, count, TF-IDF vectors).

    Args:
        max_tokens: the largest vocabulary, special tokens included (None: no limit).
        standardize: ``"lower_and_strip_punctuation"`` (default), ``"lower"``,
            ``"strip_punctuation"``, None, or a callable ``str -> str`` (not saveable).
        split: ``"whitespace"`` (default), ``"character"``, None (the whole text is one
            token), or a callable ``str -> list of str`` (not saveable).
        ngrams: None, an int n (all 1..n-grams) or a tuple of widths; n-grams join tokens
            with a space and follow the single tokens, as in Keras.
        output_mode: ``"int"`` (token ids), ``"multi_hot"``, ``"count"`` or ``"tf_idf"``
            (one column per vocabulary entry).
        output_sequence_length: ``"int"`` only: pad with 0 or truncate (keeping the first
            tokens) to this length; None pads to the longest text of the batch.
        pad_to_max_tokens: non-int modes: ``max_tokens`` columns even when the vocabulary is
            smaller.
        vocabulary: a list of tokens (special tokens optional, at their indices).
        idf_weights: ``"tf_idf"`` with ``vocabulary``: one weight per vocabulary entry.

    Shape: input ``(batch,)`` or ``(batch, 1)`` of strings (a list, or a str/bytes/object
    array); output ``(batch, output_sequence_length)`` ids for ``"int"`` (whole numbers in a
    float32 tensor, as every lamina tensor is float; float64 past 2**24 entries), else
    ``(batch, vocabulary size)``. No weights.

    Defined behaviour on odd input: an empty text is all padding (zeros); a token not in the
    vocabulary is ``[UNK]`` (id 1); a text longer than ``output_sequence_length`` is cut;
    a non-string item, a layer with no vocabulary, or an adapt that finds no token raises.

    Example:
        >>> layer = TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["the cat sat", "the dog ran"])
        >>> layer.get_vocabulary()[:3]
        ['', '[UNK]', 'the']
        >>> layer(["The bird sat."]).data
        array([[2., 1., 3., 0.]], dtype=float32)
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", **kwargs):
        super().__init__(**kwargs)
        where = f"TextVectorization '{self.name}'"
        self.output_mode = _choice(output_mode, "output_mode", OUTPUT_MODES, where, False)
        if self.output_mode is None:
            raise ValueError(f"{where}: `output_mode` must be one of {OUTPUT_MODES}; "
                             "received output_mode=None")
        self._special = [PAD, OOV] if self.output_mode == "int" else [OOV]
        self.max_tokens = _optional_positive_int(max_tokens, "max_tokens", where,
                                                 len(self._special) + 1)
        self.standardize = _choice(standardize, "standardize", STANDARDIZE, where)
        self.split = _choice(split, "split", SPLIT, where)
        self._widths = _ngram_widths(ngrams, where)
        self.ngrams = ngrams if ngrams is None else int(ngrams) if is_int(ngrams) else self._widths
        self.output_sequence_length = _optional_positive_int(
            output_sequence_length, "output_sequence_length", where)
        if self.output_sequence_length is not None and self.output_mode != "int":
            raise ValueError(f"{where}: `output_sequence_length` applies to output_mode='int' "
                             f"only; received output_mode={output_mode!r}")
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        if self.pad_to_max_tokens and (self.output_mode == "int" or self.max_tokens is None):
            raise ValueError(f"{where}: `pad_to_max_tokens=True` needs a non-int output_mode and "
                             "max_tokens")
        for name, value, allowed in (("sparse", sparse, False), ("ragged", ragged, False),
                                     ("encoding", encoding, "utf-8")):
            if value != allowed:
                raise ValueError(f"{where}: only {name}={allowed!r} is supported (lamina has "
                                 f"dense float tensors and Python strings); received "
                                 f"{name}={value!r}")
        self._words: _Words | None = None
        self._idf = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError(f"{where}: `idf_weights` needs `vocabulary`")
        self.built = True

    # ---------------------------------------------------------------- vocabulary
    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Use ``vocabulary`` (a list of distinct strings; the special tokens may lead it)."""
        where = f"TextVectorization '{self.name}'"
        if isinstance(vocabulary, numpy.ndarray):
            vocabulary = vocabulary.tolist()
        if not isinstance(vocabulary, (list, tuple)):
            raise TypeError(f"{where}: `vocabulary` must be a list of strings (read a file "
                            f"yourself); received {type(vocabulary).__name__}")
        tokens = list(vocabulary)
        bad = next((t for t in tokens if not isinstance(t, str)), None)
        if bad is not None or any(t is None for t in tokens):
            raise TypeError(f"{where}: every vocabulary entry must be a str; received {bad!r}")
        n_special = len(self._special)
        if tokens[:n_special] == self._special:
            tokens = tokens[n_special:]
            if idf_weights is not None and len(idf_weights) == len(vocabulary):
                idf_weights = list(idf_weights)[n_special:]
        misplaced = [t for t in (PAD, OOV) if t in tokens]
        if misplaced:
            raise ValueError(f"{where}: the special token(s) {misplaced} may only lead the "
                             f"vocabulary, at indices {list(range(n_special))}")
        if len(set(tokens)) != len(tokens):
            dup = next(t for t, c in Counter(tokens).items() if c > 1)
            raise ValueError(f"{where}: the vocabulary holds {dup!r} more than once")
        size = len(tokens) + n_special
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"{where}: the vocabulary has {size} entries with the special "
                             f"tokens, more than max_tokens={self.max_tokens}")
        self._idf = self._check_idf(idf_weights, len(tokens), where)
        self._words = _Words(tokens, n_special)

    def _check_idf(self, idf_weights, n, where):
        if self.output_mode != "tf_idf":
            if idf_weights is not None:
                raise ValueError(f"{where}: `idf_weights` applies to output_mode='tf_idf' only")
            return None
        if idf_weights is None:
            raise ValueError(f"{where}: output_mode='tf_idf' with a vocabulary needs "
                             "idf_weights (one per vocabulary entry), or call adapt()")
        idf = numpy.asarray(idf_weights, dtype="float64")
        if idf.shape != (n,) or not numpy.isfinite(idf).all() or (idf < 0).any():
            raise ValueError(f"{where}: `idf_weights` must hold {n} finite non-negative numbers "
                             f"(one per vocabulary entry); received shape {idf.shape}")
        return idf

    def get_vocabulary(self, include_special_tokens=True) -> list[str]:
        """The tokens by index: ``["", "[UNK]", most frequent, ...]`` for ``"int"``."""
        tokens = [] if self._words is None else list(self._words.tokens)
        return self._special + tokens if include_special_tokens else tokens

    def vocabulary_size(self) -> int:
        """The number of entries, special tokens included."""
        return len(self._special) + (0 if self._words is None else len(self._words.tokens))

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary from ``data`` (strings): the ``max_tokens`` most frequent
        tokens (ties in reverse code-point order: Keras sorts by count, then token, and
        reverses the list), and for ``"tf_idf"`` their IDF weights
        ``log(1 + documents / (1 + documents holding the token))``, as Keras.

        ``steps`` batches of ``batch_size`` (default 32) texts are read when ``steps`` is
        given, all of ``data`` otherwise."""
        where = f"TextVectorization '{self.name}'"
        texts = self._texts(data)
        if steps is not None:
            texts = texts[:_optional_positive_int(steps, "steps", where)
                          * (_optional_positive_int(batch_size, "batch_size", where) or 32)]
        counts: Counter = Counter()
        documents: Counter = Counter()
        for text in texts:
            tokens = self._tokenize(text)
            counts.update(tokens)
            if self.output_mode == "tf_idf":
                documents.update(set(tokens))
        if not counts:
            raise ValueError(f"{where}: adapt found no tokens in {len(texts)} text(s) (each is "
                             "empty after standardize and split), so the vocabulary would be "
                             "empty; adapt on texts that contain words")
        ranked = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:self.max_tokens - len(self._special)]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1 + len(texts) / (1 + documents[t])) for t in ranked]
        self.set_vocabulary(ranked, idf)

    # ------------------------------------------------------------- the pipeline
    def _standardize(self, text: str) -> str:
        mode = self.standardize
        if callable(mode):
            return mode(text)
        if mode in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = STRIP_REGEX.sub("", text)
        return text

    def _tokenize(self, text: str) -> list[str]:
        text = self._standardize(text)
        if self.split is None:
            tokens = [text] if text else []
        elif self.split == "whitespace":
            tokens = text.split()
        elif self.split == "character":
            tokens = list(text)
        else:
            tokens = list(self.split(text))
        if not self._widths:
            return tokens
        out = []
        for n in self._widths:
            out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return out

    def _texts(self, inputs) -> list[str]:
        """``inputs`` as a list of str, with a clear error for anything else."""
        where = f"TextVectorization '{self.name}'"
        if isinstance(inputs, Tensor):
            raise TypeError(f"{where}: expected strings; received a float Tensor of shape "
                            f"{inputs.shape}")
        if isinstance(inputs, (str, bytes)):
            raise TypeError(f"{where}: expected a batch of strings (a list or array); received "
                            f"one {type(inputs).__name__}: wrap it in a list")
        array = inputs if isinstance(inputs, numpy.ndarray) else None
        if array is not None:
            if array.dtype.kind not in "USO":
                raise TypeError(f"{where}: expected strings; received an array of "
                                f"dtype={array.dtype}")
            if array.ndim == 2 and array.shape[1] == 1:
                array = array[:, 0]
            if array.ndim != 1:
                raise ValueError(f"{where}: expected strings of shape (batch,) or (batch, 1); "
                                 f"received shape {inputs.shape}")
            items = array.tolist()
        else:
            items = list(inputs)
            items = [i[0] if isinstance(i, (list, tuple)) and len(i) == 1 else i for i in items]
        texts = []
        for k, item in enumerate(items):
            if isinstance(item, bytes):
                try:
                    item = item.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise ValueError(f"{where}: item {k} is not valid UTF-8 ({err})") from None
            if not isinstance(item, str):
                raise TypeError(f"{where}: every item must be a string; item {k} is "
                                f"{type(item).__name__} ({item!r:.60})")
            texts.append(item)
        return texts

    def _require_vocabulary(self):
        if self._words is None:
            raise ValueError(f"TextVectorization '{self.name}' has no vocabulary: call "
                             "adapt(texts) or pass vocabulary= before using it")

    def vectorize(self, inputs) -> numpy.ndarray:
        """The output for ``inputs`` as a NumPy array (int64 ids, or float32 vectors)."""
        self._require_vocabulary()
        rows = [self._tokenize(text) for text in self._texts(inputs)]
        get, oov = self._words.index.get, self._special.index(OOV)
        ids = [[get(t, oov) for t in row] for row in rows]
        if self.output_mode == "int":
            length = self.output_sequence_length
            if length is None:
                length = max((len(row) for row in ids), default=0)
            out = numpy.zeros((len(ids), length), dtype=numpy.int64)
            for r, row in enumerate(ids):
                row = row[:length]
                out[r, :len(row)] = row
            return out
        width = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        out = numpy.zeros((len(ids), width), dtype="float32")
        for r, row in enumerate(ids):
            if row:
                numpy.add.at(out[r], row, 1.0)
        if self.output_mode == "multi_hot":
            out = numpy.minimum(out, 1.0)
        elif self.output_mode == "tf_idf":
            idf = numpy.zeros(width)
            idf[0] = self._idf.mean() if len(self._idf) else 0.0  # [UNK]: the mean weight
            idf[1:1 + len(self._idf)] = self._idf
            out = (out * idf).astype("float32")
        return out

    # ------------------------------------------------------------------- a layer
    _accepts_text = True

    def __call__(self, inputs, training=None, **kwargs):
        from lamina.layers.input_layer import SymbolicTensor, record_node

        if isinstance(inputs, SymbolicTensor):
            return record_node(self, inputs)
        out = self.vectorize(inputs)
        big = out.dtype.kind == "i" and self.vocabulary_size() > _EXACT_FLOAT32
        return Tensor(out, dtype="float64" if big else self.dtype)

    def call(self, inputs):
        return self(inputs)

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape)[0] if len(input_shape) else None
        if self.output_mode == "int":
            return (batch, self.output_sequence_length)
        if self.pad_to_max_tokens:
            return (batch, self.max_tokens)
        return (batch, None if self._words is None else self.vocabulary_size())

    def get_config(self):
        for name in ("standardize", "split"):
            if callable(getattr(self, name)):
                raise ValueError(f"TextVectorization '{self.name}': a callable `{name}` cannot "
                                 "be saved (a saved model holds data, not code); use one of "
                                 f"the named modes to save this layer")
        config = {**super().get_config(), "max_tokens": self.max_tokens,
                  "standardize": self.standardize, "split": self.split,
                  "ngrams": list(self.ngrams) if isinstance(self.ngrams, tuple) else self.ngrams,
                  "output_mode": self.output_mode,
                  "output_sequence_length": self.output_sequence_length,
                  "pad_to_max_tokens": self.pad_to_max_tokens,
                  "vocabulary": None if self._words is None else list(self._words.tokens),
                  "idf_weights": None if self._idf is None else self._idf.tolist(),
                  "sparse": False, "ragged": False, "encoding": "utf-8"}
        return config
