/* Read by SWIG through %include: the interface's #ifdef sees this. */
#define EXAMPLE_HAS_BLOBS 1
