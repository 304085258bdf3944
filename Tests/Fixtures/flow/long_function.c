/* Long functions, the shape of hand-written parsers, that the precise walk could not follow:
 * it keeps every path class apart, and a fact set on one side of a branch and kept to the end
 * (an option flag, the outcome of a test made twice) doubles the classes of every block after
 * it, though no view differs between them. Such functions were skipped ("too many paths") and
 * said nothing; they are now followed again with the classes that agree on every view joined.
 *
 * parse_records: two views acquired without a test of the result and never released, pointers
 * copied from their `buf`, five flags set near the top and read at the end, and the copied
 * pointer tested against NULL twice: 64 classes per block, past 40,000 steps at this length
 * (about 350 lines). Without the late `&& ptr != NULL` it fitted. */
#include <Python.h>

static PyObject *parse_records(PyObject *self, PyObject *src, PyObject *table, int options, Py_ssize_t n) {
    Py_buffer in, tab;
    Py_ssize_t total = n;
    int opt0 = 0;
    int opt1 = 0;
    int opt2 = 0;
    int opt3 = 0;
    int opt4 = 0;
    PyObject_GetBuffer(src, &in, PyBUF_SIMPLE);  // expect: BUF102
    PyObject_GetBuffer(table, &tab, PyBUF_SIMPLE);  // expect: BUF102
    char *ptr = in.buf;  // expect: BUF101
    const unsigned char *q = tab.buf;  // expect: BUF101
    if (options & 1)
        opt0 = 1;
    if (options & 2)
        opt1 = 1;
    if (options & 4)
        opt2 = 1;
    if (options & 8)
        opt3 = 1;
    if (options & 16)
        opt4 = 1;
    if (ptr == NULL)
        total -= 1;
    if (n > 1) total += q[0] * 1;
    if (n > 2) total += q[1] * 2;
    if (n > 3) total += q[2] * 3;
    if (n > 4) total += q[3] * 4;
    if (n > 5) total += q[4] * 5;
    if (n > 6) total += q[5] * 6;
    if (n > 7) total += q[6] * 7;
    if (n > 8) total += q[7] * 1;
    if (n > 9) total += q[8] * 2;
    if (n > 10) total += q[9] * 3;
    if (n > 11) total += q[10] * 4;
    if (n > 12) total += q[11] * 5;
    if (n > 13) total += q[12] * 6;
    if (n > 14) total += q[13] * 7;
    if (n > 15) total += q[14] * 1;
    if (n > 16) total += q[15] * 2;
    if (n > 17) total += q[0] * 3;
    if (n > 18) total += q[1] * 4;
    if (n > 19) total += q[2] * 5;
    if (n > 20) total += q[3] * 6;
    if (n > 21) total += q[4] * 7;
    if (n > 22) total += q[5] * 1;
    if (n > 23) total += q[6] * 2;
    if (n > 24) total += q[7] * 3;
    if (n > 25) total += q[8] * 4;
    if (n > 26) total += q[9] * 5;
    if (n > 27) total += q[10] * 6;
    if (n > 28) total += q[11] * 7;
    if (n > 29) total += q[12] * 1;
    if (n > 30) total += q[13] * 2;
    if (n > 31) total += q[14] * 3;
    if (n > 32) total += q[15] * 4;
    if (n > 33) total += q[0] * 5;
    if (n > 34) total += q[1] * 6;
    if (n > 35) total += q[2] * 7;
    if (n > 36) total += q[3] * 1;
    if (n > 37) total += q[4] * 2;
    if (n > 38) total += q[5] * 3;
    if (n > 39) total += q[6] * 4;
    if (n > 40) total += q[7] * 5;
    if (n > 41) total += q[8] * 6;
    if (n > 42) total += q[9] * 7;
    if (n > 43) total += q[10] * 1;
    if (n > 44) total += q[11] * 2;
    if (n > 45) total += q[12] * 3;
    if (n > 46) total += q[13] * 4;
    if (n > 47) total += q[14] * 5;
    if (n > 48) total += q[15] * 6;
    if (n > 49) total += q[0] * 7;
    if (n > 50) total += q[1] * 1;
    if (n > 51) total += q[2] * 2;
    if (n > 52) total += q[3] * 3;
    if (n > 53) total += q[4] * 4;
    if (n > 54) total += q[5] * 5;
    if (n > 55) total += q[6] * 6;
    if (n > 56) total += q[7] * 7;
    if (n > 57) total += q[8] * 1;
    if (n > 58) total += q[9] * 2;
    if (n > 59) total += q[10] * 3;
    if (n > 60) total += q[11] * 4;
    if (n > 61) total += q[12] * 5;
    if (n > 62) total += q[13] * 6;
    if (n > 63) total += q[14] * 7;
    if (n > 64) total += q[15] * 1;
    if (n > 65) total += q[0] * 2;
    if (n > 66) total += q[1] * 3;
    if (n > 67) total += q[2] * 4;
    if (n > 68) total += q[3] * 5;
    if (n > 69) total += q[4] * 6;
    if (n > 70) total += q[5] * 7;
    if (n > 71) total += q[6] * 1;
    if (n > 72) total += q[7] * 2;
    if (n > 73) total += q[8] * 3;
    if (n > 74) total += q[9] * 4;
    if (n > 75) total += q[10] * 5;
    if (n > 76) total += q[11] * 6;
    if (n > 77) total += q[12] * 7;
    if (n > 78) total += q[13] * 1;
    if (n > 79) total += q[14] * 2;
    if (n > 80) total += q[15] * 3;
    if (n > 81) total += q[0] * 4;
    if (n > 82) total += q[1] * 5;
    if (n > 83) total += q[2] * 6;
    if (n > 84) total += q[3] * 7;
    if (n > 85) total += q[4] * 1;
    if (n > 86) total += q[5] * 2;
    if (n > 87) total += q[6] * 3;
    if (n > 88) total += q[7] * 4;
    if (n > 89) total += q[8] * 5;
    if (n > 90) total += q[9] * 6;
    if (n > 91) total += q[10] * 7;
    if (n > 92) total += q[11] * 1;
    if (n > 93) total += q[12] * 2;
    if (n > 94) total += q[13] * 3;
    if (n > 95) total += q[14] * 4;
    if (n > 96) total += q[15] * 5;
    if (n > 97) total += q[0] * 6;
    if (n > 98) total += q[1] * 7;
    if (n > 99) total += q[2] * 1;
    if (n > 100) total += q[3] * 2;
    if (n > 101) total += q[4] * 3;
    if (n > 102) total += q[5] * 4;
    if (n > 103) total += q[6] * 5;
    if (n > 104) total += q[7] * 6;
    if (n > 105) total += q[8] * 7;
    if (n > 106) total += q[9] * 1;
    if (n > 107) total += q[10] * 2;
    if (n > 108) total += q[11] * 3;
    if (n > 109) total += q[12] * 4;
    if (n > 110) total += q[13] * 5;
    if (n > 111) total += q[14] * 6;
    if (n > 112) total += q[15] * 7;
    if (n > 113) total += q[0] * 1;
    if (n > 114) total += q[1] * 2;
    if (n > 115) total += q[2] * 3;
    if (n > 116) total += q[3] * 4;
    if (n > 117) total += q[4] * 5;
    if (n > 118) total += q[5] * 6;
    if (n > 119) total += q[6] * 7;
    if (n > 120) total += q[7] * 1;
    if (n > 121) total += q[8] * 2;
    if (n > 122) total += q[9] * 3;
    if (n > 123) total += q[10] * 4;
    if (n > 124) total += q[11] * 5;
    if (n > 125) total += q[12] * 6;
    if (n > 126) total += q[13] * 7;
    if (n > 127) total += q[14] * 1;
    if (n > 128) total += q[15] * 2;
    if (n > 129) total += q[0] * 3;
    if (n > 130) total += q[1] * 4;
    if (n > 131) total += q[2] * 5;
    if (n > 132) total += q[3] * 6;
    if (n > 133) total += q[4] * 7;
    if (n > 134) total += q[5] * 1;
    if (n > 135) total += q[6] * 2;
    if (n > 136) total += q[7] * 3;
    if (n > 137) total += q[8] * 4;
    if (n > 138) total += q[9] * 5;
    if (n > 139) total += q[10] * 6;
    if (n > 140) total += q[11] * 7;
    if (n > 141) total += q[12] * 1;
    if (n > 142) total += q[13] * 2;
    if (n > 143) total += q[14] * 3;
    if (n > 144) total += q[15] * 4;
    if (n > 145) total += q[0] * 5;
    if (n > 146) total += q[1] * 6;
    if (n > 147) total += q[2] * 7;
    if (n > 148) total += q[3] * 1;
    if (n > 149) total += q[4] * 2;
    if (n > 150) total += q[5] * 3;
    if (n > 151) total += q[6] * 4;
    if (n > 152) total += q[7] * 5;
    if (n > 153) total += q[8] * 6;
    if (n > 154) total += q[9] * 7;
    if (n > 155) total += q[10] * 1;
    if (n > 156) total += q[11] * 2;
    if (n > 157) total += q[12] * 3;
    if (n > 158) total += q[13] * 4;
    if (n > 159) total += q[14] * 5;
    if (n > 160) total += q[15] * 6;
    if (n > 161) total += q[0] * 7;
    if (n > 162) total += q[1] * 1;
    if (n > 163) total += q[2] * 2;
    if (n > 164) total += q[3] * 3;
    if (n > 165) total += q[4] * 4;
    if (n > 166) total += q[5] * 5;
    if (n > 167) total += q[6] * 6;
    if (n > 168) total += q[7] * 7;
    if (n > 169) total += q[8] * 1;
    if (n > 170) total += q[9] * 2;
    if (n > 171) total += q[10] * 3;
    if (n > 172) total += q[11] * 4;
    if (n > 173) total += q[12] * 5;
    if (n > 174) total += q[13] * 6;
    if (n > 175) total += q[14] * 7;
    if (n > 176) total += q[15] * 1;
    if (n > 177) total += q[0] * 2;
    if (n > 178) total += q[1] * 3;
    if (n > 179) total += q[2] * 4;
    if (n > 180) total += q[3] * 5;
    if (n > 181) total += q[4] * 6;
    if (n > 182) total += q[5] * 7;
    if (n > 183) total += q[6] * 1;
    if (n > 184) total += q[7] * 2;
    if (n > 185) total += q[8] * 3;
    if (n > 186) total += q[9] * 4;
    if (n > 187) total += q[10] * 5;
    if (n > 188) total += q[11] * 6;
    if (n > 189) total += q[12] * 7;
    if (n > 190) total += q[13] * 1;
    if (n > 191) total += q[14] * 2;
    if (n > 192) total += q[15] * 3;
    if (n > 193) total += q[0] * 4;
    if (n > 194) total += q[1] * 5;
    if (n > 195) total += q[2] * 6;
    if (n > 196) total += q[3] * 7;
    if (n > 197) total += q[4] * 1;
    if (n > 198) total += q[5] * 2;
    if (n > 199) total += q[6] * 3;
    if (n > 200) total += q[7] * 4;
    if (n > 201) total += q[8] * 5;
    if (n > 202) total += q[9] * 6;
    if (n > 203) total += q[10] * 7;
    if (n > 204) total += q[11] * 1;
    if (n > 205) total += q[12] * 2;
    if (n > 206) total += q[13] * 3;
    if (n > 207) total += q[14] * 4;
    if (n > 208) total += q[15] * 5;
    if (n > 209) total += q[0] * 6;
    if (n > 210) total += q[1] * 7;
    if (n > 211) total += q[2] * 1;
    if (n > 212) total += q[3] * 2;
    if (n > 213) total += q[4] * 3;
    if (n > 214) total += q[5] * 4;
    if (n > 215) total += q[6] * 5;
    if (n > 216) total += q[7] * 6;
    if (n > 217) total += q[8] * 7;
    if (n > 218) total += q[9] * 1;
    if (n > 219) total += q[10] * 2;
    if (n > 220) total += q[11] * 3;
    if (n > 221) total += q[12] * 4;
    if (n > 222) total += q[13] * 5;
    if (n > 223) total += q[14] * 6;
    if (n > 224) total += q[15] * 7;
    if (n > 225) total += q[0] * 1;
    if (n > 226) total += q[1] * 2;
    if (n > 227) total += q[2] * 3;
    if (n > 228) total += q[3] * 4;
    if (n > 229) total += q[4] * 5;
    if (n > 230) total += q[5] * 6;
    if (n > 231) total += q[6] * 7;
    if (n > 232) total += q[7] * 1;
    if (n > 233) total += q[8] * 2;
    if (n > 234) total += q[9] * 3;
    if (n > 235) total += q[10] * 4;
    if (n > 236) total += q[11] * 5;
    if (n > 237) total += q[12] * 6;
    if (n > 238) total += q[13] * 7;
    if (n > 239) total += q[14] * 1;
    if (n > 240) total += q[15] * 2;
    if (n > 241) total += q[0] * 3;
    if (n > 242) total += q[1] * 4;
    if (n > 243) total += q[2] * 5;
    if (n > 244) total += q[3] * 6;
    if (n > 245) total += q[4] * 7;
    if (n > 246) total += q[5] * 1;
    if (n > 247) total += q[6] * 2;
    if (n > 248) total += q[7] * 3;
    if (n > 249) total += q[8] * 4;
    if (n > 250) total += q[9] * 5;
    if (n > 251) total += q[10] * 6;
    if (n > 252) total += q[11] * 7;
    if (n > 253) total += q[12] * 1;
    if (n > 254) total += q[13] * 2;
    if (n > 255) total += q[14] * 3;
    if (n > 256) total += q[15] * 4;
    if (n > 257) total += q[0] * 5;
    if (n > 258) total += q[1] * 6;
    if (n > 259) total += q[2] * 7;
    if (n > 260) total += q[3] * 1;
    if (n > 261) total += q[4] * 2;
    if (n > 262) total += q[5] * 3;
    if (n > 263) total += q[6] * 4;
    if (n > 264) total += q[7] * 5;
    if (n > 265) total += q[8] * 6;
    if (n > 266) total += q[9] * 7;
    if (n > 267) total += q[10] * 1;
    if (n > 268) total += q[11] * 2;
    if (n > 269) total += q[12] * 3;
    if (n > 270) total += q[13] * 4;
    if (n > 271) total += q[14] * 5;
    if (n > 272) total += q[15] * 6;
    if (n > 273) total += q[0] * 7;
    if (n > 274) total += q[1] * 1;
    if (n > 275) total += q[2] * 2;
    if (n > 276) total += q[3] * 3;
    if (n > 277) total += q[4] * 4;
    if (n > 278) total += q[5] * 5;
    if (n > 279) total += q[6] * 6;
    if (n > 280) total += q[7] * 7;
    if (n > 281) total += q[8] * 1;
    if (n > 282) total += q[9] * 2;
    if (n > 283) total += q[10] * 3;
    if (n > 284) total += q[11] * 4;
    if (n > 285) total += q[12] * 5;
    if (n > 286) total += q[13] * 6;
    if (n > 287) total += q[14] * 7;
    if (n > 288) total += q[15] * 1;
    if (n > 289) total += q[0] * 2;
    if (n > 290) total += q[1] * 3;
    if (n > 291) total += q[2] * 4;
    if (n > 292) total += q[3] * 5;
    if (n > 293) total += q[4] * 6;
    if (n > 294) total += q[5] * 7;
    if (n > 295) total += q[6] * 1;
    if (n > 296) total += q[7] * 2;
    if (n > 297) total += q[8] * 3;
    if (n > 298) total += q[9] * 4;
    if (n > 299) total += q[10] * 5;
    if (n > 300) total += q[11] * 6;
    if (n > 301) total += q[12] * 7;
    if (n > 302) total += q[13] * 1;
    if (n > 303) total += q[14] * 2;
    if (n > 304) total += q[15] * 3;
    if (n > 305) total += q[0] * 4;
    if (n > 306) total += q[1] * 5;
    if (n > 307) total += q[2] * 6;
    if (n > 308) total += q[3] * 7;
    if (n > 309) total += q[4] * 1;
    if (n > 310) total += q[5] * 2;
    if (n > 311) total += q[6] * 3;
    if (n > 312) total += q[7] * 4;
    if (n > 313) total += q[8] * 5;
    if (n > 314) total += q[9] * 6;
    if (n > 315) total += q[10] * 7;
    if (n > 316) total += q[11] * 1;
    if (n > 317) total += q[12] * 2;
    if (n > 318) total += q[13] * 3;
    if (n > 319) total += q[14] * 4;
    if (n > 320) total += q[15] * 5;
    if (n > 321) total += q[0] * 6;
    if (n > 322) total += q[1] * 7;
    if (n > 323) total += q[2] * 1;
    if (n > 324) total += q[3] * 2;
    if (n > 325) total += q[4] * 3;
    if (n > 326) total += q[5] * 4;
    if (n > 327) total += q[6] * 5;
    if (n > 328) total += q[7] * 6;
    if (n > 329) total += q[8] * 7;
    if (n > 330) total += q[9] * 1;
    if (n > 331) total += q[10] * 2;
    if (n > 332) total += q[11] * 3;
    if (n > 333) total += q[12] * 4;
    if (n > 334) total += q[13] * 5;
    if (n > 335) total += q[14] * 6;
    if (n > 336) total += q[15] * 7;
    if (n > 337) total += q[0] * 1;
    if (n > 338) total += q[1] * 2;
    if (n > 339) total += q[2] * 3;
    if (n > 340) total += q[3] * 4;
    if (n > 341) total += q[4] * 5;
    if (n > 342) total += q[5] * 6;
    if (n > 343) total += q[6] * 7;
    if (n > 344) total += q[7] * 1;
    if (n > 345) total += q[8] * 2;
    if (n > 346) total += q[9] * 3;
    if (n > 347) total += q[10] * 4;
    if (n > 348) total += q[11] * 5;
    if (n > 349) total += q[12] * 6;
    if (n > 0 && ptr != NULL)
        total += ptr[0];
    if (opt0)
        total *= 2;
    if (opt1)
        total *= 3;
    if (opt2)
        total *= 4;
    if (opt3)
        total *= 5;
    if (opt4)
        total *= 6;
    if (total < 0)
        return NULL;
    return PyLong_FromSsize_t(total);
}

/* Seven flags are 128 classes at a block, past the 96 the precise walk keeps. Joined, the flag
 * `have` still goes with the view it guards (the classes where it differs hold different view
 * states): the release under it is neither a leak nor a release of an unfilled view; the
 * early return under it is a leak. */
static PyObject *flagged_view(PyObject *self, PyObject *obj, int options, Py_ssize_t n) {
    Py_buffer view;
    Py_ssize_t total = n;
    int have = 0;
    int opt0 = 0;
    int opt1 = 0;
    int opt2 = 0;
    int opt3 = 0;
    int opt4 = 0;
    int opt5 = 0;
    int opt6 = 0;
    if (options & 1)
        opt0 = 1;
    if (options & 2)
        opt1 = 1;
    if (options & 4)
        opt2 = 1;
    if (options & 8)
        opt3 = 1;
    if (options & 16)
        opt4 = 1;
    if (options & 32)
        opt5 = 1;
    if (options & 64)
        opt6 = 1;
    if (obj != Py_None) {
        if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)  // expect: BUF102
            return NULL;
        have = 1;
    }
    if (have && n < 0)
        return NULL;                /* leaks the view */
    if (have)
        total += view.len;
    if (opt0)
        total *= 2;
    if (opt1)
        total *= 3;
    if (opt2)
        total *= 4;
    if (opt3)
        total *= 5;
    if (opt4)
        total *= 6;
    if (opt5)
        total *= 7;
    if (opt6)
        total *= 8;
    if (have)
        PyBuffer_Release(&view);
    return PyLong_FromSsize_t(total);
}
