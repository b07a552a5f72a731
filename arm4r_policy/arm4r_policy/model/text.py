"""Instruction encoder: an instruction string -> the 512-d vector the ARM4R network consumes.

The paper conditions the policy on a frozen CLIP text encoder (LAION-2B); the authors' public code
uses OpenCLIP ViT-B-32 ``laion2b_s34b_b79k`` and stores one vector per episode in
``instruction.zarr`` (REFERENCE.md sections 1 and 3). Their converters
(``sim/process_datasets/convert_dataset_rlbench.py``, ``sim/agents/arm4r_bc/arm4r_agent.py``) call
``model.encode_text(tokenizer([text]))`` with OpenCLIP's default ``normalize=False``, in float32
(the model stays on the CPU, so their ``torch.cuda.amp.autocast()`` does nothing), and the
dataset and model feed that vector unchanged into the text MLP. So the convention here is:

    vector = text_projection(final-layer feature at the end-of-text token)   # RAW, no L2 norm

which is ``CLIPTextModelWithProjection(...).text_embeds`` in Hugging Face ``transformers`` (its
norm is whatever the tower gives, not 1). Tokens are padded to the 77-token context as OpenCLIP's
tokenizer does; the causal mask makes the padding irrelevant to the end-of-text feature.

Two encoders share one small interface (``embed``, ``embed_batch``, ``dim``, ``name``):

- ``ClipInstructionEncoder(weights_dir)``: the real text tower, loaded only from a LOCAL copy of
  the Hugging Face repo ``laion/CLIP-ViT-B-32-laion2B-s34B-b79K`` (config.json,
  model.safetensors, vocab.json + merges.txt or tokenizer.json). Nothing is ever downloaded. A
  tokenizer without its vocabulary (which offline ``transformers`` builds silently, mapping every
  word to one id) is detected and refused.
- ``HashingInstructionEncoder()``: the offline fallback for the simulation presets when no CLIP
  weights are at hand. It is NOT CLIP: a fixed hashed random projection of the whole instruction
  plus its bag of words, identical on every machine, process and Python version. A policy
  trained on it must be run with it (compare ``name``). It says so once per process.

Both normalise an instruction the way CLIP's tokenizer does (Unicode NFC, whitespace collapsed
and stripped, lower case), encode each distinct instruction once, and cache it. The returned
tensors are ordinary float32 tensors (not inference tensors), so a trainable layer can consume
them; each call returns a fresh copy, so changing it never alters the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch

from arm4r_policy.errors import CheckpointError, ObservationError

logger = logging.getLogger(__name__)

INSTRUCTION_DIM = 512  # width of OpenCLIP ViT-B-32's text embedding, the network's text input
CLIP_REPO = "laion/CLIP-ViT-B-32-laion2B-s34B-b79K"  # the Hugging Face copy of laion2b_s34b_b79k
CLIP_ENCODER_NAME = "clip-vit-b-32"
HASHING_ENCODER_NAME = "hashing-v1-512"


def normalize_instruction(text: object, field: str = "instruction") -> str:
    """The cache key and the string actually encoded: NFC, whitespace collapsed, lower case.

    CLIP's tokenizer applies the same normalisation, so two instructions with one key are
    indistinguishable to CLIP anyway. Raises ObservationError naming ``field`` for a non-string
    or an empty / whitespace-only instruction.
    """
    if not isinstance(text, str):
        raise ObservationError(f"{field} must be a str, got {type(text).__name__}")
    key = " ".join(unicodedata.normalize("NFC", text).split()).lower()
    if not key:
        raise ObservationError(
            f"{field} is empty or whitespace only ({text!r}); expected a task description "
            "such as 'pick up the yellow cube'"
        )
    return key


class InstructionEncoder(ABC):
    """Frozen text encoder with a per-instruction cache. Subclasses implement ``_encode``."""

    dim: int  # length of every vector returned
    name: str  # identifies the embedding space; store it with a checkpoint and compare on load
    device: torch.device  # where returned tensors live

    def __init__(self, dim: int, name: str, device: str | torch.device) -> None:
        self.dim = dim
        self.name = name
        self.device = torch.device(device)
        self._cache: dict[str, torch.Tensor] = {}  # normalised instruction -> (dim,) float32

    @abstractmethod
    def _encode(self, texts: list[str]) -> torch.Tensor:
        """(N,) normalised, distinct, uncached instructions -> (N, dim). Runs in inference mode."""

    def embed(self, text: str) -> torch.Tensor:
        """One instruction -> (dim,) float32 on ``device``; encoded once, then served from cache."""
        key = normalize_instruction(text)
        if key not in self._cache:
            self._fill([key])
        return self._cache[key].clone()

    def embed_batch(self, texts: Sequence[str]) -> torch.Tensor:
        """B instructions -> (B, dim) float32; the uncached ones go through the encoder together."""
        if isinstance(texts, str):
            raise ObservationError("embed_batch takes a list of instructions, got a single str")
        keys = [normalize_instruction(t, f"instruction[{i}]") for i, t in enumerate(texts)]
        missing = [k for k in dict.fromkeys(keys) if k not in self._cache]
        if missing:
            self._fill(missing)
        if not keys:
            return torch.empty(0, self.dim, dtype=torch.float32, device=self.device)
        return torch.stack([self._cache[k] for k in keys])  # (B, dim), a new tensor

    def _fill(self, keys: list[str]) -> None:
        with torch.inference_mode():
            vectors = self._encode(keys)  # (N, dim)
        if vectors.shape != (len(keys), self.dim) or not torch.isfinite(vectors).all():
            raise CheckpointError(
                f"{self.name} produced {tuple(vectors.shape)} vectors (finite: "
                f"{bool(torch.isfinite(vectors).all())}) for {len(keys)} instructions; "
                f"expected ({len(keys)}, {self.dim}) finite values"
            )
        # Cloning outside inference mode turns inference tensors into ordinary ones that autograd
        # accepts as inputs of a trainable layer.
        vectors = vectors.to(self.device, torch.float32).clone()
        for key, vector in zip(keys, vectors, strict=True):
            self._cache[key] = vector

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim}, device={self.device})"


# --- CLIP text tower ---------------------------------------------------------------------------

_WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
_PROBE_WORDS = ("pick", "place")  # any byte-level BPE vocabulary tells these apart


def _missing_files(directory: Path) -> list[str]:
    """Names of the files a local CLIP directory lacks (empty when complete)."""
    missing = [] if (directory / "config.json").is_file() else ["config.json"]
    if not any((directory / name).is_file() for name in _WEIGHT_FILES):
        missing.append("model.safetensors (or pytorch_model.bin)")
    if not (directory / "tokenizer.json").is_file():
        missing += [n for n in ("vocab.json", "merges.txt") if not (directory / n).is_file()]
    return missing


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' progress bars and load report (a text tower loaded from a full CLIP
    checkpoint lists ~200 unused vision keys); the loader checks for missing keys itself."""
    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


class ClipInstructionEncoder(InstructionEncoder):
    """The frozen CLIP text tower from a local directory; raw projected features (see module doc).

    weights_dir: a local copy of ``laion/CLIP-ViT-B-32-laion2B-s34B-b79K`` (a full CLIP checkpoint
    or a text-only ``CLIPTextModelWithProjection`` one). Raises CheckpointError naming the
    directory and what is missing or wrong.
    """

    def __init__(self, weights_dir: str | Path, device: str | torch.device = "cpu") -> None:
        from transformers import CLIPTextModelWithProjection, CLIPTokenizer

        directory = Path(weights_dir).expanduser()
        if not directory.is_dir():
            raise CheckpointError(
                f"CLIP weights directory {directory} does not exist or is not a directory; "
                f"expected a local copy of {CLIP_REPO} (config.json, model.safetensors, "
                "vocab.json, merges.txt)"
            )
        missing = _missing_files(directory)
        if missing:
            raise CheckpointError(
                f"CLIP weights directory {directory} is missing {', '.join(missing)}; copy them "
                f"from {CLIP_REPO} (nothing is downloaded at run time)"
            )
        try:
            with _quiet_transformers():
                tokenizer = CLIPTokenizer.from_pretrained(directory, local_files_only=True)
                model, info = CLIPTextModelWithProjection.from_pretrained(
                    directory, local_files_only=True, output_loading_info=True
                )
        except (OSError, ValueError, RuntimeError, KeyError) as err:
            raise CheckpointError(f"cannot load CLIP text tower from {directory}: {err}") from err
        if info["missing_keys"]:
            raise CheckpointError(
                f"CLIP weights in {directory} lack {len(info['missing_keys'])} text-tower "
                f"tensors (e.g. {sorted(info['missing_keys'])[:3]}); expected a CLIP checkpoint"
            )
        _check_tokenizer(tokenizer, directory, model.config.vocab_size)

        self.tokenizer = tokenizer
        self.model = model.float().eval().requires_grad_(False).to(device)
        self.max_length = model.config.max_position_embeddings  # 77, OpenCLIP's context length
        super().__init__(model.config.projection_dim, CLIP_ENCODER_NAME, device)

    def _encode(self, texts: list[str]) -> torch.Tensor:
        tokens = self.tokenizer(
            texts,
            padding="max_length",
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )  # input_ids, attention_mask: (N, 77)
        out = self.model(
            input_ids=tokens["input_ids"].to(self.device),
            attention_mask=tokens["attention_mask"].to(self.device),
        )
        return out.text_embeds  # (N, projection_dim), raw: OpenCLIP encode_text(normalize=False)


def _check_tokenizer(tokenizer, directory: Path, model_vocab_size: int) -> None:
    """Refuse a tokenizer that lost its vocabulary (every word -> the unknown id) or one whose ids
    do not fit the model's embedding table."""
    probes = [tokenizer(w, add_special_tokens=False)["input_ids"] for w in _PROBE_WORDS]
    unk = tokenizer.unk_token_id
    vocabulary_lost = (
        len(tokenizer) < 256  # a byte-level BPE holds at least the 256 byte symbols
        or probes[0] == probes[1]
        or any(unk is not None and unk in ids for ids in probes)
    )
    if vocabulary_lost:
        seen = ", ".join(f"{w!r} -> {ids}" for w, ids in zip(_PROBE_WORDS, probes, strict=True))
        raise CheckpointError(
            f"the CLIP tokenizer loaded from {directory} has no usable vocabulary "
            f"({len(tokenizer)} tokens; {seen}): vocab.json and merges.txt (or tokenizer.json) "
            f"there are missing or broken; copy them from {CLIP_REPO}"
        )
    if len(tokenizer) > model_vocab_size:
        raise CheckpointError(
            f"the tokenizer in {directory} has {len(tokenizer)} tokens but the text tower embeds "
            f"only {model_vocab_size}; the tokenizer files and weights come from different models"
        )


# --- offline fallback --------------------------------------------------------------------------

_HASH_SALT = b"arm4r-instruction-hashing-v1\x00"  # changing it changes every vector: bump the name
_fallback_warned = False  # once per process


def _hashed_direction(feature: str, dim: int) -> np.ndarray:
    """A fixed pseudo-random unit vector for ``feature``: SHAKE-256 bytes -> uniform(-1, 1).

    Only hashlib and exact float arithmetic, so it is the same on every platform and version.
    """
    raw = hashlib.shake_256(_HASH_SALT + feature.encode("utf-8")).digest(2 * dim)
    values = (np.frombuffer(raw, dtype="<u2").astype(np.float64) + 0.5) / 32768.0 - 1.0
    return values / np.linalg.norm(values)


class HashingInstructionEncoder(InstructionEncoder):
    """Deterministic stand-in for CLIP when no weights are available. NOT CLIP.

    vector = unit(d(whole instruction) + unit(sum of d(word) over its words)), where d is a fixed
    hashed random direction. Distinct instructions are about half orthogonal parts, so their
    cosine similarity is at most about 0.5 (about half the word overlap), while shared words
    still give related instructions related vectors.
    """

    def __init__(self, dim: int = INSTRUCTION_DIM, device: str | torch.device = "cpu") -> None:
        super().__init__(dim, f"hashing-v1-{dim}", device)
        global _fallback_warned
        if not _fallback_warned:
            _fallback_warned = True
            logger.warning(
                "No CLIP weights directory given: instructions are embedded with %s, a "
                "deterministic hashed bag-of-words stand-in that is NOT the CLIP text encoder "
                "of the paper; a policy trained on it only works with it. To use CLIP, pass "
                "weights_dir=<local copy of %s holding config.json, model.safetensors, "
                "vocab.json, merges.txt> to load_instruction_encoder().",
                self.name,
                CLIP_REPO,
            )

    def _encode(self, texts: list[str]) -> torch.Tensor:
        return torch.from_numpy(np.stack([self._vector(t) for t in texts]).astype(np.float32))

    def _vector(self, text: str) -> np.ndarray:
        vector = _hashed_direction("s:" + text, self.dim)
        words = re.findall(r"\w+", text)
        if words:
            bag = np.sum([_hashed_direction("w:" + w, self.dim) for w in words], axis=0)
            vector = vector + bag / np.linalg.norm(bag)
        return vector / np.linalg.norm(vector)


def load_instruction_encoder(
    weights_dir: str | Path | None,
    device: str | torch.device = "cpu",
    dim: int = INSTRUCTION_DIM,
) -> InstructionEncoder:
    """CLIP from ``weights_dir`` when one is given, else the hashing fallback (with a warning).

    ``None`` or an empty string (an unset ROS / YAML parameter) selects the fallback. A given
    directory that is missing, incomplete or not a ``dim``-wide CLIP raises CheckpointError; it
    never falls back silently.
    """
    if weights_dir is None or (isinstance(weights_dir, str) and not weights_dir.strip()):
        return HashingInstructionEncoder(dim=dim, device=device)
    encoder = ClipInstructionEncoder(weights_dir, device=device)
    if encoder.dim != dim:
        raise CheckpointError(
            f"CLIP text tower in {weights_dir} projects to {encoder.dim} dims; the network "
            f"expects {dim} ({CLIP_REPO} has 512)"
        )
    return encoder
