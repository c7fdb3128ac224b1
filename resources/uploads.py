"""Checking uploaded files by what they contain, not only by their name."""

import zipfile
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# Extension → the content type we store and serve it as.
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".mp4": "video/mp4",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".txt": "text/plain",
    ".csv": "text/csv",
}
# "application/pdf" → "PDF": the kind of file as organisers name it (the first extension
# listed for a type wins, so image/jpeg is "JPG").
FILE_LABELS = {
    content_type: extension.lstrip(".").upper()
    for extension, content_type in reversed(ALLOWED_TYPES.items())
}
# Office files are zip archives: which folder inside says which kind it really is.
OOXML_FOLDERS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
HEAD_BYTES = 8192

UPLOAD_NAME_MAX_LENGTH = 100
UPLOAD_NAME_MAX_BYTES = 200  # in UTF-8: a name in another script can reach it in fewer characters


def allowed_extensions_text() -> str:
    return ", ".join(sorted({ext.lstrip(".").upper() for ext in ALLOWED_TYPES}))


def _zip_members(upload) -> list[str]:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return []
    finally:
        upload.seek(0)


def _content_matches(extension: str, head: bytes, upload) -> bool:
    if extension in OOXML_FOLDERS:
        names = _zip_members(upload)
        folder = OOXML_FOLDERS[extension]
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
    if extension in {".odt", ".ods", ".odp"}:
        # An OpenDocument zip starts with an uncompressed "mimetype" entry naming its type.
        return head.startswith(b"PK") and ALLOWED_TYPES[extension].encode() in head[:200]
    if extension in {".txt", ".csv"}:
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut off at the end of the sample is still text.
            return error.start >= len(head) - 4
        return True
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return False
    wanted = ALLOWED_TYPES[extension]
    return any(m.mime_type == wanted or m.extension == extension for m in matches) or (
        extension == ".jpeg" and any(m.extension == ".jpg" for m in matches)
    )


def upload_validate(upload) -> str:
    """Check an uploaded file's size, name and content. Returns the content type to store;
    raises ValidationError with a message for the person uploading."""
    limit = settings.RESOURCE_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; the largest allowed is "
            f"{filesizeformat(limit)}. For a long recording, add a video link instead."
        )
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    # Disks refuse a file name over 255 bytes, and the stored path adds a folder and may add a
    # suffix: refuse long names here, with a reason, rather than fail while saving.
    if len(upload.name) > UPLOAD_NAME_MAX_LENGTH:
        raise ValidationError(
            f"The file's name is {len(upload.name):,} characters long: rename the file to "
            f"{UPLOAD_NAME_MAX_LENGTH} characters or fewer and upload it again."
        )
    if len(upload.name.encode()) > UPLOAD_NAME_MAX_BYTES:
        raise ValidationError(
            "The file's name is too long to store: rename the file to something shorter and "
            "upload it again."
        )
    extension = PurePath(upload.name).suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            f"Files of this type cannot be uploaded. Allowed: {allowed_extensions_text()}."
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if not _content_matches(extension, head, upload):
        raise ValidationError(
            f"The file's content does not match its name ({extension}). Check it is the "
            "file you meant, saved in that format."
        )
    return ALLOWED_TYPES[extension]
