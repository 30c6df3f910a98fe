"""Reading print files as a printer's proof and preflight would, with tools that are not ours:
the QR codes a real decoder finds on each page (pdfium + zxing-cpp), the fonts poppler's pdffonts
lists, the operators and resources pypdf parses."""

import os
import shutil
import subprocess
import tempfile

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream

BLEED_PT = 8.50  # 3 mm
RGB_OPERATORS = {b"rg", b"RG"}
SET_COLOUR_SPACE = {b"cs", b"CS"}
PRINT_COLOUR_SPACES = {"/DeviceCMYK", "/DeviceGray"}


def decoded(pdf_bytes: bytes) -> list[list[str]]:
    """The QR codes a real decoder reads on each rendered page (top to bottom within a page)."""
    document = pdfium.PdfDocument(pdf_bytes)
    return [[r.text for r in zxingcpp.read_barcodes(page.render(scale=2).to_pil())] for page in document]


def poppler(tool: str) -> str:
    """The path of a poppler-utils tool (Debian's; .ci/run installs it). Missing on CI: a failure."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is missing: apt-get install poppler-utils (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def poppler_output(tool: str, pdf_bytes: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf_bytes)
        handle.flush()
        return subprocess.run([poppler(tool), handle.name], capture_output=True, text=True, check=True).stdout


def pdffonts_rows(pdf_bytes: bytes) -> list[list[str]]:
    """pdffonts' table, one row of columns a font (name, type…, emb, sub, uni, object, generation)."""
    lines = poppler_output("pdffonts", pdf_bytes).splitlines()
    assert lines[1].startswith("-----"), lines
    return [line.split() for line in lines[2:]]


def _resources(reader: PdfReader):
    """Each content stream of the file with its resources: pages, then the form XObjects they use."""
    seen = set()

    def walk(owner, resources):
        yield owner, resources
        for xobject in (resources.get("/XObject") or {}).values():
            ref = xobject.indirect_reference
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Form" and ref not in seen:
                seen.add(ref)
                yield from walk(xobject, xobject.get("/Resources") or resources)

    for page in reader.pages:
        yield from walk(page, page["/Resources"])


def fonts_not_embedded(reader: PdfReader) -> list[str]:
    """The base names of fonts whose descriptor holds no font program (FontFile, FontFile2, FontFile3)."""
    missing = []
    for _, resources in _resources(reader):
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont")))
    return missing


def colour_problems(reader: PdfReader) -> list[str]:
    """What is not CMYK or gray: RGB operators, colour spaces set other than device CMYK/gray,
    images in another colour space (a stencil mask paints the fill colour, and is allowed)."""
    problems = []
    for owner, resources in _resources(reader):
        stream = owner.get_contents() if isinstance(owner, PageObject) else ContentStream(owner, reader)
        for operands, operator in stream.operations:
            rgb = operator in RGB_OPERATORS
            if rgb or (operator in SET_COLOUR_SPACE and str(operands[0]) not in PRINT_COLOUR_SPACES):
                problems.append(f"{operator.decode()} {operands}")
            elif operator == b"INLINE IMAGE":
                settings = operands["settings"]
                if not (settings.get("/IM") or settings.get("/ImageMask")):
                    colour_space = settings.get("/CS") or settings.get("/ColorSpace")
                    if str(colour_space) not in PRINT_COLOUR_SPACES | {"/G", "/CMYK"}:
                        problems.append(f"inline image in {colour_space}")
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            painted = xobject["/Subtype"] == "/Image" and not xobject.get("/ImageMask")
            if painted and str(xobject.get("/ColorSpace")) not in PRINT_COLOUR_SPACES:
                problems.append(f"image in {xobject.get('/ColorSpace')}")
    return problems
