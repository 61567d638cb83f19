"""Names the command line needs before it may import Keras or TensorFlow.

`keras-colorize export --help` lists the export formats; importing
`keras_colorize.export` for them would start TensorFlow (seconds). The
library reads them from here too (`keras_colorize.export.FORMATS`), so the
list has one home.
"""

# The `format=` values of `keras_colorize.export.export_model`.
EXPORT_FORMATS = ("keras", "saved_model", "tflite")
