"""read_metadata: XMP, then IPTC IIM, then EXIF; text decoded right and bounded; never GPS."""

import io

from PIL import Image

from dateline.pictures.metadata import read_metadata
from tests.conftest import require_shared


def test_iptcs_reference_image_gives_every_field():
    found = read_metadata(require_shared("corpus/photos/IPTC-PhotometadataRef-Std2017.1.jpg"))
    assert found["title"] == "The Title (ref2017.1)"
    assert found["caption"] == "The description aka caption (ref2017.1)"
    # XMP names both creators; IIM's by-line only the first.
    assert found["creator"] == "Creator1 (ref2017.1), Creator2 (ref2017.1)"
    assert found["credit"] == "Credit Line (ref2017.1)"
    assert found["source"] == "Source (ref2017.1)"
    assert found["copyright_notice"] == (
        "Copyright (Notice) 2017.1 IPTC - www.iptc.org  (ref2017.1)")
    assert found["usage_terms"] == "Rights Usage Termns (ref2017.1)"  # IPTC's own spelling
    assert found["alt_text"] == ""  # the 2017.1 standard has no alt text field yet
    assert found["taken_at"].isoformat() == "2017-07-13T17:01:00+00:00"
    assert found["keywords"] == ["Keyword1ref2017.1", "Keyword2ref2017.1", "Keyword3ref2017.1"]


def _xmp(body: str) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
        'xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/">'
        f'<rdf:Description rdf:about="">{body}</rdf:Description></rdf:RDF></x:xmpmeta>'
    ).encode()


def _png_with(xmp: bytes = b"", exif: Image.Exif | None = None) -> io.BytesIO:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if xmp:
        info.add_itxt("XML:com.adobe.xmp", xmp.decode())
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info, **({"exif": exif} if exif else {}))
    return out


def test_xmp_alt_text_and_attributes_are_read_and_bounded():
    long = "é" * 3000
    found = read_metadata(_png_with(_xmp(
        '<Iptc4xmpCore:AltTextAccessibility><rdf:Alt><rdf:li xml:lang="de">Ein Hund</rdf:li>'
        '<rdf:li xml:lang="x-default">A dog on a beach</rdf:li></rdf:Alt>'
        "</Iptc4xmpCore:AltTextAccessibility>"
        f"<dc:description><rdf:Alt><rdf:li>  {long}  </rdf:li></rdf:Alt></dc:description>"
    ).replace(b'rdf:about=""', b'rdf:about="" photoshop:Credit="AP/Jo"')))
    assert found["alt_text"] == "A dog on a beach"
    assert found["credit"] == "AP/Jo"
    assert found["caption"] == "é" * 2000


def test_xml_entities_are_never_expanded():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + _xmp(
                "<photoshop:Credit>&b;</photoshop:Credit>"))
    found = read_metadata(_png_with(bomb))
    assert found["credit"] == ""


def _iim(*datasets: tuple[int, int, bytes]) -> bytes:
    """A Photoshop APP13 segment holding these IPTC IIM datasets."""
    iim = b"".join(b"\x1c" + bytes([r, d]) + len(v).to_bytes(2, "big") + v
                   for r, d, v in datasets)
    block = b"8BIM\x04\x04\x00\x00" + len(iim).to_bytes(4, "big") + iim
    block += b"\x00" * (len(block) % 2)
    payload = b"Photoshop 3.0\x00" + block
    return b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload


def _jpeg_with_iim(*datasets, exif: Image.Exif | None = None) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", **({"exif": exif} if exif else {}))
    data = out.getvalue()
    return io.BytesIO(data[:2] + _iim(*datasets) + data[2:])


def test_iim_text_is_utf8_when_its_charset_says_so_else_latin1():
    utf8 = read_metadata(_jpeg_with_iim((1, 90, b"\x1b%G"), (2, 80, "Zoë Ørsted".encode()),
                                        (2, 25, "Köln".encode()), (2, 25, b"Rhein")))
    assert utf8["creator"] == "Zoë Ørsted"
    assert utf8["keywords"] == ["Köln", "Rhein"]
    latin1 = read_metadata(_jpeg_with_iim((2, 110, "Agence Française".encode("latin-1"))))
    assert latin1["credit"] == "Agence Française"


def test_exif_is_the_last_resort_and_gps_is_never_kept():
    exif = Image.Exif()
    exif[0x013B] = "Anna Muller"  # Artist
    exif[0x010F] = "Canon"  # Make: kept in embedded
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    found = read_metadata(_jpeg_with_iim((2, 116, b"(c) Anna"), exif=exif))
    assert found["creator"] == "Anna Muller"
    assert found["copyright_notice"] == "(c) Anna"  # IIM before EXIF
    assert found["embedded"]["exif"]["tags"]["Make"] == "Canon"
    assert "GPS" not in repr(found["embedded"]) and "52.0" not in repr(found["embedded"])


def test_a_file_that_is_no_photo_says_nothing():
    found = read_metadata(io.BytesIO(b"hello"))
    assert found["caption"] == "" and found["keywords"] == [] and found["embedded"] == {}


def test_embedded_holds_nothing_a_json_column_refuses():
    exif = Image.Exif()
    exif[0x010F] = "Can\x00on"  # Make, with a NUL inside
    exif[0x0110] = "X" * 5000  # Model, far too long
    found = read_metadata(_jpeg_with_iim((2, 115, b"Wire\x00Agency"), exif=exif))
    tags = found["embedded"]["exif"]["tags"]
    assert tags["Make"] == "Canon" and len(tags["Model"]) <= 2000
    assert found["source"] == "WireAgency"
    assert "\x00" not in repr(found["embedded"])


def test_a_time_that_falls_off_the_calendar_in_utc_is_no_time():
    """Year 9999 five hours behind UTC is year 10000 in UTC: no column could hold it."""
    xmp = read_metadata(_png_with(_xmp(
        "<photoshop:DateCreated>9999-12-31T23:59:59-05:00</photoshop:DateCreated>")))
    assert xmp["taken_at"] is None
    iim = read_metadata(_jpeg_with_iim((2, 55, b"00010101"), (2, 60, b"000000+0500")))
    assert iim["taken_at"] is None
    kept = read_metadata(_jpeg_with_iim((2, 55, b"20240501"), (2, 60, b"093000+0200")))
    assert kept["taken_at"].isoformat() == "2024-05-01T07:30:00+00:00"
