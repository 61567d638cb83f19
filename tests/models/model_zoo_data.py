"""Fixed batches of real-photo crops for the model-zoo tests."""

import numpy as np

from keras_colorize import color

# Top-left corners of the crops taken from every photo (fixed, not random).
CORNERS = ((100, 100), (200, 150))


def photo_crops(photos, size=32):
    """uint8 RGB crops `(8, size, size, 3)`: two per scikit-image photo."""
    crops = []
    for name in sorted(photos):
        image = photos[name]
        for top, left in CORNERS:
            crops.append(image[top : top + size, left : left + size, :3])
    return np.stack(crops)


def lab_batch(photos, size=32):
    """`(l, ab, rgb)`: L/100, ab/128 and RGB in [0, 1] as float32 NumPy arrays."""
    rgb = photo_crops(photos, size)
    l_scaled, ab_scaled = color.scale_lab(color.rgb_to_lab(rgb))
    return (
        np.asarray(l_scaled, "float32"),
        np.asarray(ab_scaled, "float32"),
        (rgb / 255.0).astype("float32"),
    )


def nearest_bins(ab_scaled, grid):
    """Index of the nearest bin centre of `grid` for every pixel."""
    centers = color.ab_bin_centers(grid) / color.AB_SCALE
    distances = ((ab_scaled[..., None, :] - centers) ** 2).sum(-1)
    return distances.argmin(-1).astype("int32")
