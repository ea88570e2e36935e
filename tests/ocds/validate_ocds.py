#!/usr/bin/env python3
"""Validates OCDS 1.1 release packages and record packages against the official schemas.

Usage: validate_ocds.py [--schema-dir DIR] FILE [FILE ...]

Each FILE is a release package (has "releases") or a record package (has "records"). It is checked
against release-package-schema.json or record-package-schema.json (JSON Schema draft 4) from the
schema directory (default: this script's directory, tests/ocds/, where the OCDS 1.1.5 files are
vendored; see its README.md). The package schemas refer to the release schema by its URL; it is
loaded from the same directory, and any other remote reference is refused, so nothing is fetched
from the network. Formats date-time and uri are checked. Beyond the schema, every release tag must
be in releaseTag.csv, every tender.procurementMethod in method.csv, every contract status in
contractStatus.csv and every document's documentType in documentType.csv, or, when the package
declares the UK extension (cabinetoffice/ocds_uk_extension, vendored in uk_extension/), in its
codelists/+documentType.csv; a document's noticeType (a field of the UK extension) needs that
declaration and must be a string.

Exit status: 0 when every file is valid, 1 otherwise (each error printed with its file and path),
2 on bad usage or missing schemas.
"""

import argparse
import csv
import datetime
import json
import os
import re
import sys
import urllib.parse
import warnings

import jsonschema

# RefResolver is deprecated from jsonschema 4.18 but is what Debian 12's 4.10 offers.
warnings.filterwarnings('ignore', category=DeprecationWarning)

SCHEMA_URL = 'https://standard.open-contracting.org/schema/1__1__5/'
RFC3339 = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$')


def default_schema_dir():
    return os.path.dirname(os.path.abspath(__file__))


def load_json(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def load_codes(schema_dir, name):
    with open(os.path.join(schema_dir, name), encoding='utf-8', newline='') as f:
        return {row['Code'] for row in csv.DictReader(f)}


def format_checker():
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks('date-time', raises=ValueError)
    def is_date_time(value):
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            raise ValueError('not an RFC 3339 date-time')
        datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
        return True

    @checker.checks('uri', raises=ValueError)
    def is_uri(value):
        if not isinstance(value, str):
            return True
        parsed = urllib.parse.urlparse(value)
        if not parsed.scheme or not (parsed.netloc or parsed.path):
            raise ValueError('not an absolute URI')
        return True

    return checker


def refuse_remote(uri):
    raise jsonschema.RefResolutionError('refusing to fetch %s (no network; not in %s)' %
                                        (uri, SCHEMA_URL))


def make_validator(schema_dir, schema_name):
    store = {}
    for name in ('release-schema.json', 'release-package-schema.json',
                 'record-package-schema.json'):
        schema = load_json(os.path.join(schema_dir, name))
        store[SCHEMA_URL + name] = schema
        if 'id' in schema:
            store[schema['id']] = schema
    schema = store[SCHEMA_URL + schema_name]
    resolver = jsonschema.RefResolver(SCHEMA_URL + schema_name, schema, store=store,
                                      handlers={'http': refuse_remote, 'https': refuse_remote})
    return jsonschema.Draft4Validator(schema, resolver=resolver, format_checker=format_checker())


UK_EXTENSION = 'cabinetoffice/ocds_uk_extension'


def documents_of(release):
    """(path, document) for every document of the release's planning, tender, awards, contracts
    and contracts' implementation."""
    def docs(where, obj):
        if not isinstance(obj, dict):
            return []
        return [('%s/documents/%d' % (where, i), d)
                for i, d in enumerate(obj.get('documents') or []) if isinstance(d, dict)]
    out = docs('planning', release.get('planning')) + docs('tender', release.get('tender'))
    for i, award in enumerate(release.get('awards') or []):
        out += docs('awards/%d' % i, award)
    for i, contract in enumerate(release.get('contracts') or []):
        out += docs('contracts/%d' % i, contract)
        if isinstance(contract, dict):
            out += docs('contracts/%d/implementation' % i, contract.get('implementation'))
    return out


def document_errors(where, release, codes, declares_uk):
    errors = []
    allowed = codes['documentType'] | (codes['ukDocumentType'] if declares_uk else set())
    for path, doc in documents_of(release):
        kind = doc.get('documentType')
        if kind is not None and kind not in allowed:
            errors.append('%s id=%s %s: documentType %r is not in documentType.csv%s' %
                          (where, release.get('id'), path, kind,
                           ' or the UK extension' if declares_uk else ''))
        if 'noticeType' in doc:
            if not declares_uk:
                errors.append('%s id=%s %s: noticeType needs the UK extension in "extensions"' %
                              (where, release.get('id'), path))
            elif doc['noticeType'] is not None and not isinstance(doc['noticeType'], str):
                errors.append('%s id=%s %s: noticeType is not a string' %
                              (where, release.get('id'), path))
    return errors


def codelist_errors(package, codes):
    releases = []
    for release in package.get('releases', []):
        releases.append(('releases', release))
    for i, record in enumerate(package.get('records', [])):
        for release in record.get('releases', []):
            releases.append(('records/%d/releases' % i, release))
        if 'compiledRelease' in record:
            releases.append(('records/%d/compiledRelease' % i, record['compiledRelease']))
    declares_uk = any(UK_EXTENSION in str(e) for e in package.get('extensions') or [])
    errors = []
    for where, release in releases:
        if not isinstance(release, dict):
            continue
        rid = release.get('id')
        for tag in release.get('tag') or []:
            if tag not in codes['tag']:
                errors.append('%s id=%s: tag %r is not in releaseTag.csv' % (where, rid, tag))
        method = (release.get('tender') or {}).get('procurementMethod')
        if method is not None and method not in codes['method']:
            errors.append('%s id=%s: tender.procurementMethod %r is not in method.csv' %
                          (where, rid, method))
        errors.extend(document_errors(where, release, codes, declares_uk))
        for contract in release.get('contracts') or []:
            status = contract.get('status')
            if status is not None and status not in codes['contractStatus']:
                errors.append('%s id=%s: contract status %r is not in contractStatus.csv' %
                              (where, rid, status))
    return errors


def validate_file(path, schema_dir, codes):
    try:
        package = load_json(path)
    except (OSError, ValueError) as e:
        return ['cannot read JSON: %s' % e]
    if not isinstance(package, dict):
        return ['not a JSON object']
    if 'records' in package:
        kind = 'record-package-schema.json'
    elif 'releases' in package:
        kind = 'release-package-schema.json'
    else:
        return ['neither a release package ("releases") nor a record package ("records")']
    # A fresh validator per file: a RefResolver keeps a scope stack between validations.
    validator = make_validator(schema_dir, kind)
    errors = []
    for error in sorted(validator.iter_errors(package), key=lambda e: list(e.path)):
        where = '/'.join(str(p) for p in error.absolute_path) or '(root)'
        errors.append('%s: %s [%s]' % (where, error.message, kind))
    errors.extend(codelist_errors(package, codes))
    return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--schema-dir', default=default_schema_dir())
    parser.add_argument('files', nargs='+')
    args = parser.parse_args()
    try:
        codes = {
            'tag': load_codes(args.schema_dir, 'releaseTag.csv'),
            'method': load_codes(args.schema_dir, 'method.csv'),
            'contractStatus': load_codes(args.schema_dir, 'contractStatus.csv'),
            'documentType': load_codes(args.schema_dir, 'documentType.csv'),
            'ukDocumentType': load_codes(args.schema_dir,
                                         os.path.join('uk_extension', 'codelists',
                                                      '+documentType.csv')),
        }
        for kind in ('release-package-schema.json', 'record-package-schema.json'):
            make_validator(args.schema_dir, kind)
    except (OSError, ValueError) as e:
        print('validate_ocds: cannot load the OCDS schemas and codelists from %s: %s' %
              (args.schema_dir, e), file=sys.stderr)
        return 2
    failed = 0
    for path in args.files:
        errors = validate_file(path, args.schema_dir, codes)
        if errors:
            failed += 1
            print('%s: INVALID (%d errors)' % (path, len(errors)))
            for e in errors[:50]:
                print('  ' + e)
        else:
            print('%s: valid' % path)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
