"""Workbooks written by hand, member by member: the ordinary one, and the bombs of issue #12 (small
files that unfold into millions of rows, cells or characters, or an entity bomb)."""

import io
import zipfile

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>'
    '<sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
CHUNK = 1 << 20


def workbook(sheet_parts, shared_parts=None, *, dimension: str | None = None) -> bytes:
    """A ZIP with the usual members; the sheet and the shared strings are iterables of str pieces
    (written as they come, so that hundreds of megabytes never sit in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(SHEET_START.encode())
            if dimension:
                member.write(f'<dimension ref="{dimension}"/>'.encode())
            member.write(b"<sheetData>")
            for part in sheet_parts:
                member.write(part.encode())
            member.write(b"</sheetData></worksheet>")
        if shared_parts is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
                for part in shared_parts:
                    member.write(part.encode())
    return buffer.getvalue()


def _repeat(piece: str, times: int):
    block = piece * max(1, CHUNK // len(piece))
    per_block = CHUNK // len(piece) or 1
    while times > 0:
        n = min(times, per_block)
        yield block if n == per_block else piece * n
        times -= n


def cells_row(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{_letters(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values, 1)
    )
    return f'<row r="{number}">{cells}</row>'


def _letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def rows_bomb(rows: int = 20_000_000) -> bytes:
    """Millions of empty rows (20 million: about 150 KiB)."""
    return workbook(_repeat("<row/>", rows))


def wide_row_bomb(cells: int = 2_000_000) -> bytes:
    """One row of millions of empty cells."""
    return workbook(['<row r="1">', *_repeat("<c/>", cells), "</row>"])


def shared_string_bomb(characters: int = 300_000_000) -> bytes:
    """One shared string of hundreds of millions of characters, used by the first cell."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>']
    first = ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']
    return workbook(first, [*parts, *_repeat("a", characters), "</t></si></sst>"])


def laughs_bomb() -> bytes:
    """The billion laughs in sharedStrings.xml: ten levels of ten entities, a gigabyte once expanded."""
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    shared = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{"".join(entities)}]>'
        f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return workbook(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'], [shared])


def declared_rows_bomb() -> bytes:
    """A sheet that declares 20 million rows (<dimension>), whatever it then holds."""
    return workbook(['<row r="1"><c r="A1" t="inlineStr"><is><t>nom</t></is></c></row>'], dimension="A1:F20000000")
