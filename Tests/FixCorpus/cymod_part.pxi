# Included by cymod.pyx, which declares the old function.


def cy_part_len(obj):
    """The pointer goes to a module-level variable of the including file: compat."""
    PyObject_AsReadBuffer(obj, &_part_data, &_part_len)
    return _part_len
