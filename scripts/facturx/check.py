"""Checks a Factur-X PDF written by tribune with independent tools, and says why it fails.

    check.py FILE.pdf LEVEL TYPE_CODE

LEVEL is `minimum` or `basicwl`, TYPE_CODE `380` (invoice) or `381` (credit note).

- PyPI `factur-x` (akretion's reference library) finds the XML in the PDF with
  `get_facturx_xml_from_pdf` (checking it against the profile's official XSD), then
  `xml_check_xsd` checks it again at the expected level, and `get_level` must detect that level.
- `pikepdf` (qpdf) checks the file's structure (`Pdf.check_pdf_syntax()`, what `qpdf --check` reports) and
  the PDF/A-3 parts Factur-X needs: XMP with pdfaid:part 3 and the Factur-X extension properties,
  the output intent, the attachment in the EmbeddedFiles name tree and in the catalog's /AF with
  AFRelationship /Data and a text/xml subtype, every font embedded, the trailer /ID.

Prints one JSON line of what it found; exits 1 with the reasons when something is wrong.
"""

import io
import json
import sys

import facturx
import pikepdf
from lxml import etree

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"


def main(path, level, type_code):
    problems = []
    data = open(path, "rb").read()

    # The XML, as a Factur-X reader gets it.
    filename, xml = facturx.get_facturx_xml_from_pdf(io.BytesIO(data), check_xsd=True)
    if filename != "factur-x.xml":
        problems.append(f"attachment named {filename!r}, not factur-x.xml")
    facturx.xml_check_xsd(xml, flavor="factur-x", level=level)
    tree = etree.fromstring(xml)
    detected = facturx.get_level(tree, "factur-x")
    if detected != level:
        problems.append(f"level {detected!r}, expected {level!r}")
    found_type = tree.findtext(f"{{{RSM}}}ExchangedDocument/{{{RAM}}}TypeCode")
    if found_type != type_code:
        problems.append(f"type code {found_type!r}, expected {type_code!r}")

    # The PDF/A-3 container.
    pdf = pikepdf.open(io.BytesIO(data))
    for problem in pdf.check_pdf_syntax():
        problems.append(f"qpdf: {problem}")
    if pdf.pdf_version < "1.7":
        problems.append(f"PDF version {pdf.pdf_version}")
    if "/ID" not in pdf.trailer:
        problems.append("no /ID in the trailer")
    root = pdf.Root
    meta = pdf.open_metadata()
    expected_meta = {
        "pdfaid:part": "3",
        "pdfaid:conformance": "B",
        f"{{{FX}}}DocumentType": "INVOICE",
        f"{{{FX}}}DocumentFileName": "factur-x.xml",
        f"{{{FX}}}Version": "1.0",
        f"{{{FX}}}ConformanceLevel": {"minimum": "MINIMUM", "basicwl": "BASIC WL"}[level],
    }
    for key, value in expected_meta.items():
        if meta.get(key) != value:
            problems.append(f"XMP {key} = {meta.get(key)!r}, expected {value!r}")
    xmp = bytes(root.Metadata.read_bytes()).decode("utf-8")
    if "Factur-X PDFA Extension Schema" not in xmp:
        problems.append("XMP without the Factur-X extension schema")
    if "/Filter" in root.Metadata:
        problems.append("the XMP stream is compressed (PDF/A wants it readable)")

    intents = root.get("/OutputIntents", [])
    if not any(i.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents):
        problems.append("no PDF/A output intent with an ICC profile")

    names = root.Names.EmbeddedFiles.Names
    specs = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
    spec = specs.get("factur-x.xml")
    if spec is None:
        problems.append(f"factur-x.xml not in the EmbeddedFiles name tree ({list(specs)})")
    else:
        if spec.get("/AFRelationship") != "/Data":
            problems.append(f"AFRelationship {spec.get('/AFRelationship')}, expected /Data")
        if str(spec.get("/UF")) != "factur-x.xml":
            problems.append("no /UF file name")
        stream = spec.EF.F
        if stream.get("/Subtype") != "/text/xml":
            problems.append(f"embedded file subtype {stream.get('/Subtype')}")
        if "/ModDate" not in stream.get("/Params", {}):
            problems.append("embedded file without /Params /ModDate")
        if bytes(stream.read_bytes()) != xml:
            problems.append("the embedded file is not the XML factur-x read")
        af = [item.objgen for item in root.get("/AF", [])]
        if spec.objgen not in af:
            problems.append("the file specification is not in the catalog's /AF")

    fonts = 0
    for page in pdf.pages:
        for _, font in page.Resources.Font.items():
            fonts += 1
            descriptor = font.get("/FontDescriptor")
            if descriptor is None or not any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                problems.append(f"font {font.get('/BaseFont')} not embedded")
    if fonts == 0:
        problems.append("no font")

    print(
        json.dumps(
            {
                "file": path,
                "level": detected,
                "type_code": found_type,
                "pages": len(pdf.pages),
                "xml_bytes": len(xml),
                "pdfa": f"{meta.get('pdfaid:part')}{meta.get('pdfaid:conformance')}",
                "problems": problems,
            }
        )
    )
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    try:
        sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3]))
    except Exception as error:  # the checker's own refusals (an XSD error, no attachment)
        print(json.dumps({"file": sys.argv[1], "problems": [f"{type(error).__name__}: {error}"]}))
        sys.exit(1)
