/* Found only through the -I of compile_commands.json. */
#define DB_READ(o, p, n) PyObject_AsReadBuffer(o, p, n)
#define DB_USE_OLD_CHECK 0
