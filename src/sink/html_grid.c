/*
 * html_grid.c - the world tile grid of the HTML report's source-country map.
 *
 * Part of the HTML sink (html.h). Every country is one square at a row and a
 * column, laid out by hand for this project so that neighbours stay roughly
 * neighbours: the Americas on the left, Europe and Africa in the middle, Asia
 * and Oceania on the right. Equal squares avoid the bias of area maps, where
 * large countries dominate the eye whatever their value. Codes not on the
 * grid (territories, "" unknown) are listed under the map instead. A unit
 * test checks that no code and no square appears twice.
 */
#include <string.h>

#include "sink/html.h"

struct tile {
    char cc[3];
    signed char row, col;
};

static const struct tile grid[] = {
    /* row 0 */
    {"GL", 0, 6},
    {"IS", 0, 9},
    {"FO", 0, 10},
    {"NO", 0, 12},
    {"SE", 0, 13},
    {"FI", 0, 14},
    /* row 1 */
    {"CA", 1, 1},
    {"IE", 1, 9},
    {"GB", 1, 10},
    {"NL", 1, 11},
    {"DK", 1, 12},
    {"LT", 1, 13},
    {"LV", 1, 14},
    {"EE", 1, 15},
    {"RU", 1, 16},
    /* row 2 */
    {"US", 2, 1},
    {"BM", 2, 4},
    {"BE", 2, 10},
    {"LU", 2, 11},
    {"DE", 2, 12},
    {"PL", 2, 13},
    {"BY", 2, 14},
    {"KZ", 2, 17},
    {"MN", 2, 19},
    /* row 3 */
    {"MX", 3, 1},
    {"KY", 3, 2},
    {"CU", 3, 3},
    {"BS", 3, 4},
    {"TC", 3, 5},
    {"FR", 3, 10},
    {"CH", 3, 11},
    {"AT", 3, 12},
    {"CZ", 3, 13},
    {"SK", 3, 14},
    {"UA", 3, 15},
    {"GE", 3, 16},
    {"UZ", 3, 17},
    {"KG", 3, 18},
    {"CN", 3, 19},
    {"KP", 3, 20},
    {"KR", 3, 21},
    {"JP", 3, 22},
    /* row 4 */
    {"GT", 4, 1},
    {"BZ", 4, 2},
    {"JM", 4, 3},
    {"HT", 4, 4},
    {"DO", 4, 5},
    {"PR", 4, 6},
    {"VG", 4, 7},
    {"PT", 4, 9},
    {"ES", 4, 10},
    {"LI", 4, 11},
    {"SI", 4, 12},
    {"HU", 4, 13},
    {"RO", 4, 14},
    {"MD", 4, 15},
    {"AM", 4, 16},
    {"AZ", 4, 17},
    {"TM", 4, 18},
    {"TJ", 4, 19},
    {"MO", 4, 20},
    {"HK", 4, 21},
    {"TW", 4, 22},
    /* row 5 */
    {"SV", 5, 1},
    {"HN", 5, 2},
    {"NI", 5, 3},
    {"KN", 5, 5},
    {"AG", 5, 6},
    {"DM", 5, 7},
    {"AD", 5, 9},
    {"MC", 5, 10},
    {"IT", 5, 11},
    {"HR", 5, 12},
    {"BA", 5, 13},
    {"RS", 5, 14},
    {"BG", 5, 15},
    {"TR", 5, 16},
    {"IR", 5, 17},
    {"AF", 5, 18},
    {"PK", 5, 19},
    {"NP", 5, 20},
    {"BT", 5, 21},
    {"BD", 5, 22},
    /* row 6 */
    {"CR", 6, 2},
    {"PA", 6, 3},
    {"GD", 6, 4},
    {"LC", 6, 5},
    {"VC", 6, 6},
    {"BB", 6, 7},
    {"GI", 6, 9},
    {"SM", 6, 10},
    {"VA", 6, 11},
    {"ME", 6, 12},
    {"AL", 6, 13},
    {"MK", 6, 14},
    {"GR", 6, 15},
    {"SY", 6, 16},
    {"IQ", 6, 17},
    {"KW", 6, 18},
    {"IN", 6, 19},
    {"MM", 6, 20},
    {"LA", 6, 21},
    {"VN", 6, 22},
    {"PH", 6, 23},
    /* row 7 */
    {"CO", 7, 3},
    {"VE", 7, 4},
    {"TT", 7, 5},
    {"GY", 7, 6},
    {"SR", 7, 7},
    {"MT", 7, 10},
    {"XK", 7, 12},
    {"CY", 7, 14},
    {"LB", 7, 15},
    {"JO", 7, 16},
    {"BH", 7, 17},
    {"QA", 7, 18},
    {"LK", 7, 19},
    {"TH", 7, 20},
    {"KH", 7, 21},
    {"BN", 7, 22},
    {"PW", 7, 23},
    {"GU", 7, 24},
    {"MP", 7, 25},
    /* row 8 */
    {"EC", 8, 2},
    {"PE", 8, 3},
    {"BO", 8, 4},
    {"BR", 8, 5},
    {"MA", 8, 9},
    {"DZ", 8, 10},
    {"TN", 8, 11},
    {"LY", 8, 12},
    {"EG", 8, 13},
    {"PS", 8, 14},
    {"IL", 8, 15},
    {"SA", 8, 16},
    {"AE", 8, 17},
    {"OM", 8, 18},
    {"MV", 8, 19},
    {"MY", 8, 20},
    {"SG", 8, 21},
    {"TL", 8, 22},
    {"FM", 8, 23},
    {"MH", 8, 24},
    /* row 9 */
    {"CL", 9, 3},
    {"PY", 9, 4},
    {"UY", 9, 5},
    {"CV", 9, 7},
    {"EH", 9, 8},
    {"MR", 9, 9},
    {"ML", 9, 10},
    {"NE", 9, 11},
    {"TD", 9, 12},
    {"SD", 9, 13},
    {"ER", 9, 14},
    {"YE", 9, 15},
    {"ID", 9, 21},
    {"PG", 9, 22},
    {"SB", 9, 23},
    {"NR", 9, 24},
    {"KI", 9, 25},
    /* row 10 */
    {"AR", 10, 3},
    {"FK", 10, 4},
    {"SN", 10, 8},
    {"GM", 10, 9},
    {"BF", 10, 10},
    {"NG", 10, 11},
    {"CF", 10, 12},
    {"SS", 10, 13},
    {"ET", 10, 14},
    {"DJ", 10, 15},
    {"SO", 10, 16},
    {"AU", 10, 22},
    {"VU", 10, 23},
    {"TV", 10, 24},
    {"WS", 10, 25},
    /* row 11 */
    {"GW", 11, 7},
    {"GN", 11, 8},
    {"CI", 11, 9},
    {"GH", 11, 10},
    {"TG", 11, 11},
    {"BJ", 11, 12},
    {"CM", 11, 13},
    {"UG", 11, 14},
    {"KE", 11, 15},
    {"SC", 11, 16},
    {"NC", 11, 23},
    {"FJ", 11, 24},
    {"TO", 11, 25},
    /* row 12 */
    {"SL", 12, 7},
    {"LR", 12, 8},
    {"ST", 12, 10},
    {"GQ", 12, 11},
    {"GA", 12, 12},
    {"CG", 12, 13},
    {"RW", 12, 14},
    {"TZ", 12, 15},
    {"KM", 12, 16},
    {"NZ", 12, 22},
    {"PF", 12, 24},
    {"CK", 12, 25},
    /* row 13 */
    {"AO", 13, 11},
    {"CD", 13, 12},
    {"BI", 13, 13},
    {"MW", 13, 14},
    {"MZ", 13, 15},
    {"MG", 13, 16},
    {"MU", 13, 17},
    /* row 14 */
    {"NA", 14, 11},
    {"ZM", 14, 12},
    {"ZW", 14, 13},
    {"SZ", 14, 14},
    {"RE", 14, 17},
    /* row 15 */
    {"ZA", 15, 11},
    {"BW", 15, 12},
    {"LS", 15, 13},
    {"AQ", 15, 14},
};

int asc_html_grid_pos(const char *cc, int *row, int *col)
{
    if (!cc || strlen(cc) != 2)
        return -1;
    for (size_t i = 0; i < ASC_ARRAY_LEN(grid); i++) {
        if (grid[i].cc[0] == cc[0] && grid[i].cc[1] == cc[1]) {
            *row = grid[i].row;
            *col = grid[i].col;
            return 0;
        }
    }
    return -1;
}

size_t asc_html_grid_count(void)
{
    return ASC_ARRAY_LEN(grid);
}

const char *asc_html_grid_code(size_t i, int *row, int *col)
{
    if (i >= ASC_ARRAY_LEN(grid))
        return NULL;
    *row = grid[i].row;
    *col = grid[i].col;
    return grid[i].cc;
}
