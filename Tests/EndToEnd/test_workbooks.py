"""Every table's .xlsx twin, as the route tests fetched them (the authorization matrix keeps each in
SAMRAD_XLSX_DIR): openpyxl, the library much of the world's tooling reads Excel files with, opens
each; the header is bold, frozen and filtered; numbers are number cells and codes stay text."""
import glob
import os
import zipfile

import openpyxl
import pytest

FOLDER = os.environ.get("SAMRAD_XLSX_DIR")
EXPORTS = {
    "municipalities", "collaborations_slug_registrations", "collaborations_slug_participants",
    "collaborations_slug_invoices", "collaborations_slug_clusters_export", "meetings_meeting_attendance_export",
    "questionnaires_questionnaire_results", "questionnaires_questionnaire_answers",
}


@pytest.mark.skipif(not FOLDER, reason="scripts/test sets SAMRAD_XLSX_DIR for the route tests that write the files")
def test_every_workbook_opens_in_openpyxl_as_a_spreadsheet_should():
    files = sorted(glob.glob(os.path.join(FOLDER, "*.xlsx")))
    assert {os.path.basename(f)[:-5] for f in files} == EXPORTS, files
    for path in files:
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, path
            assert "[Content_Types].xml" in archive.namelist()
        book = openpyxl.load_workbook(path)
        sheet = book.active
        assert sheet.freeze_panes == "A2", path
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), path
        header = [cell.value for cell in sheet[1]]
        assert all(isinstance(name, str) and name for name in header), (path, header)
        assert all(cell.font.b for cell in sheet[1]), path
        assert all(sheet.column_dimensions[cell.column_letter].width >= 8 for cell in sheet[1]), path
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for name, value in zip(header, row):
                if value is None:
                    continue
                if name in ("code", "region_code", "country", "unit", "phone"):
                    assert isinstance(value, str), (path, name, value)
                if name in ("population", "amount", "respondents", "count", "wave", "seats"):
                    assert isinstance(value, (int, float)), (path, name, value)
