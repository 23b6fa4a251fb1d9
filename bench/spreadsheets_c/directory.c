/* The same workbook Samrad writes for /municipalities.xlsx (1,054 rows, 12 columns: bold frozen
 * header with a filter, numbers and dates typed, codes as text), written by libxlsxwriter, to compare
 * the CPU one workbook costs. Reads the CSV Samrad served (argv[1]) and writes N workbooks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#define MAX_ROWS 2000
#define NCOLS 12
static char *cells[MAX_ROWS][NCOLS];

static int split(char *line, char **out) {
    int n = 0;
    char *p = line;
    while (n < NCOLS) {
        out[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma) break;
        *comma = 0;
        p = comma + 1;
    }
    return n;
}

int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "r");
    int times = argc > 2 ? atoi(argv[2]) : 50;
    static char buffer[1 << 20];
    int rows = 0;
    char line[4096];
    while (rows < MAX_ROWS && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *start = line;
        if ((unsigned char)start[0] == 0xEF) start += 3; /* the byte order mark */
        char *copy = strdup(start);
        split(copy, cells[rows]);
        rows++;
    }
    (void)buffer;
    int text[NCOLS] = {1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1}; /* country code name region_code region_name */
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    for (int i = 0; i < times; i++) {
        lxw_workbook_options options = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
        lxw_workbook *workbook = workbook_new_opt("/tmp/samrad-lxw.xlsx", &options);
        lxw_worksheet *sheet = workbook_add_worksheet(workbook, "municipalities");
        lxw_format *bold = workbook_add_format(workbook);
        format_set_bold(bold);
        lxw_format *date = workbook_add_format(workbook);
        format_set_num_format_index(date, 14);
        for (int c = 0; c < NCOLS; c++) worksheet_write_string(sheet, 0, c, cells[0][c], bold);
        for (int r = 1; r < rows; r++) {
            for (int c = 0; c < NCOLS; c++) {
                const char *v = cells[r][c];
                if (!v || !*v) continue;
                if (c == 6) {
                    lxw_datetime d = {0};
                    sscanf(v, "%d-%d-%d", &d.year, &d.month, &d.day);
                    worksheet_write_datetime(sheet, r, c, &d, date);
                } else if (text[c]) {
                    worksheet_write_string(sheet, r, c, v, NULL);
                } else {
                    worksheet_write_number(sheet, r, c, atof(v), NULL);
                }
            }
        }
        worksheet_freeze_panes(sheet, 1, 0);
        worksheet_autofilter(sheet, 0, 0, rows - 1, NCOLS - 1);
        for (int c = 0; c < NCOLS; c++) worksheet_set_column(sheet, c, c, 16, NULL);
        workbook_close(workbook);
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    double ms = ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / times;
    printf("libxlsxwriter: %.2f ms CPU per workbook of %d rows (%d runs)\n", ms, rows - 1, times);
    return 0;
}
