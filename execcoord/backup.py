"""Back up and restore the database and the stored files together (``manage.py backup`` /
``manage.py restore``).

An archive is one tar file: ``database.dump`` (PostgreSQL's ``pg_dump`` custom format) or
``database.sqlite3``, every file of the default storage under ``files/``, and
``manifest.json`` (each file's name, size and SHA-256). The database is dumped first and the
files copied after it: files are only ever added or left (deleting a record does not remove
its file), so every file the dump names is in the archive. A restore goes into an empty
database and puts every file back under its own name, checking its checksum.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

MANIFEST = "manifest.json"


class BackupError(Exception):
    """The backup or restore cannot go on; ``str(error)`` says why."""


def stored_files(storage=None, folder=""):
    """Every file name of ``storage`` (default: the default storage), folder by folder."""
    storage = storage or default_storage
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_files(storage, f"{folder}/{sub}" if folder else sub)


def _pg_args(settings_dict):
    args = ["-h", settings_dict.get("HOST") or "localhost", "-d", settings_dict["NAME"]]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _run(command, env=None):
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def dump_database(folder):
    """The database as one file in ``folder``; returns ``(path, name in the archive)``."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        path = os.path.join(folder, "database.dump")
        args, env = _pg_args(connection.settings_dict)
        options = ["--format=custom", "--no-owner", "--no-privileges", "-f", path]
        _run(["pg_dump", *options, *args], env)
        return path, "database.dump"
    if connection.vendor == "sqlite":
        path = os.path.join(folder, "database.sqlite3")
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # a consistent copy, even of a live file
        finally:
            target.close()
        return path, "database.sqlite3"
    raise BackupError(f"Backing up a {connection.vendor} database is not supported.")


def backup(archive_path, out=None):
    """Write the database and every stored file to ``archive_path``; returns the manifest."""
    manifest = {"vendor": connection.vendor, "files": []}
    with tempfile.TemporaryDirectory() as folder, tarfile.open(archive_path, "w") as tar:
        path, name = dump_database(folder)
        tar.add(path, arcname=name)
        manifest["database"] = name
        for stored in stored_files():
            with default_storage.open(stored, "rb") as handle:
                data = handle.read()
            info = tarfile.TarInfo(f"files/{stored}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            digest = hashlib.sha256(data).hexdigest()
            manifest["files"].append({"name": stored, "size": len(data), "sha256": digest})
        raw = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
    return manifest


def restore(archive_path):
    """Load ``archive_path`` into the (empty) configured database and storage.

    Returns:
        The manifest of the archive.
    """
    with tarfile.open(archive_path, "r") as tar, tempfile.TemporaryDirectory() as folder:
        manifest = json.load(tar.extractfile(MANIFEST))
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                f"This archive holds a {manifest['vendor']} database; the configured one is "
                f"{connection.vendor}."
            )
        if connection.introspection.table_names():
            raise BackupError(
                "The database is not empty: restore into a new, empty database (createdb)."
            )
        dump = os.path.join(folder, manifest["database"])
        with open(dump, "wb") as out:
            shutil.copyfileobj(tar.extractfile(manifest["database"]), out)
        _load_database(dump)
        for entry in manifest["files"]:
            data = tar.extractfile(f"files/{entry['name']}").read()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise BackupError(f"{entry['name']} is damaged in the archive.")
            if default_storage.exists(entry["name"]):
                raise BackupError(f"{entry['name']} already exists: restore into empty storage.")
            saved = default_storage.save(entry["name"], ContentFile(data))
            if saved != entry["name"]:
                raise BackupError(f"{entry['name']} was stored as {saved}.")
    return manifest


def _load_database(dump):
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        connection.close()
        args, env = _pg_args(settings_dict)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, dump], env)
        return
    source = sqlite3.connect(dump)
    connection.ensure_connection()
    try:
        source.backup(connection.connection)
    finally:
        source.close()
