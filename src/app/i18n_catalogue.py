#!/usr/bin/python3
"""i18n_catalogue.py — the translation catalogue's tools: C++ table, font glyph list, completeness check.

How to use:
  # what the build runs (src/platform/web/CMakeLists.txt): the C++ table and the characters the CJK font
  # subset must contain
  i18n_catalogue.py generate --catalogue assets/i18n/zh-Hans.tsv --terms assets/i18n/medical_terms_zh.txt \
      --header build/.../i18n_catalogue.inc --glyphs build/.../cjk_glyphs.txt [--manifests models/*/manifest.json]
  (--manifests: the shipped model packages, whose "zh-Hans" blocks the app shows; their characters join the font)
  # what CTest runs: every tr("...") literal in src/app must be in the catalogue with the same printf
  # specifiers; missing strings are printed as catalogue lines to paste and translate
  i18n_catalogue.py check --catalogue assets/i18n/zh-Hans.tsv --terms assets/i18n/medical_terms_zh.txt \
      --sources src/app

Catalogue format (zh-Hans.tsv): one `English<TAB>Chinese` pair a line, UTF-8; blank lines and lines starting
with '#' are ignored; inside a field \\t, \\n and \\\\ stand for a tab, a newline and a backslash. The English
text is exactly what the C++ literal means after its escapes are applied ("\\xE2\\x80\\x94" is written "—").
Terms (medical_terms_zh.txt): `english<TAB>中文` for model labels and class names (matched ignoring case), or a
bare Chinese term whose characters the font must contain.
"""
import argparse
import json
import pathlib
import re
import sys

# Calls whose first argument is a UI string the catalogue must translate (see src/app/i18n.h).
TRANSLATED_CALLS = ("tr", "trf", "trLater", "trWindowTitle")
CALL_RE = re.compile(r"\b(?:%s)\s*\(" % "|".join(TRANSLATED_CALLS))
# A printf conversion: flags, width, precision, length modifier, conversion ('%%' included, it must survive).
PRINTF_RE = re.compile(r"%(?:%|[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGaAcsp])")
FIELD_ESCAPES = {"t": "\t", "n": "\n", "\\": "\\"}
C_SIMPLE_ESCAPES = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, '"': 34, "'": 39, "a": 7, "b": 8, "f": 12,
                    "v": 11, "?": 63}


class CatalogueError(Exception):
    pass


def unescape_field(text, where):
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            if i + 1 >= len(text) or text[i + 1] not in FIELD_ESCAPES:
                raise CatalogueError(f"{where}: unknown escape in {text!r} (use \\t, \\n or \\\\)")
            out.append(FIELD_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def escape_field(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def read_pairs(path, allow_bare=False):
    """(english, translated, line number) for each entry; english is None for a bare term."""
    pairs, seen = [], {}
    for number, line in enumerate(pathlib.Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}:{number}"
        fields = line.split("\t")
        if len(fields) == 1 and allow_bare:
            pairs.append((None, fields[0].strip(), number))
            continue
        if len(fields) != 2 or not fields[0] or not fields[1].strip():
            raise CatalogueError(f"{where}: expected 'English<TAB>translation', got {line!r}")
        english, translated = unescape_field(fields[0], where), unescape_field(fields[1], where)
        key = english.lower() if allow_bare else english
        if key in seen:
            raise CatalogueError(f"{where}: {english!r} is already translated on line {seen[key]}")
        seen[key] = number
        pairs.append((english, translated, number))
    return pairs


def printf_specifiers(text):
    return PRINTF_RE.findall(text)


def parse_c_string_literal(source, i):
    """Decodes the literal starting at source[i] == '"'; returns (bytes, index after the closing quote)."""
    out = bytearray()
    i += 1
    while source[i] != '"':
        c = source[i]
        if c == "\n":
            raise CatalogueError("newline inside a string literal")
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = source[i + 1]
        if e == "x":
            m = re.match(r"[0-9A-Fa-f]+", source[i + 2:])
            out.append(int(m.group(0), 16) & 0xFF)
            i += 2 + len(m.group(0))
        elif e in "01234567":
            m = re.match(r"[0-7]{1,3}", source[i + 1:])
            out.append(int(m.group(0), 8) & 0xFF)
            i += 1 + len(m.group(0))
        elif e in C_SIMPLE_ESCAPES:
            out.append(C_SIMPLE_ESCAPES[e])
            i += 2
        else:
            raise CatalogueError(f"unsupported escape \\{e}")
    return bytes(out), i + 1


SKIPPABLE_RE = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)


def literal_argument(source, i):
    """The first argument at source[i:] if it is one or more adjacent string literals, else None."""
    text = b""
    i = SKIPPABLE_RE.match(source, i).end()
    if i >= len(source) or source[i] != '"':
        return None
    while i < len(source) and source[i] == '"':
        part, i = parse_c_string_literal(source, i)
        text += part
        i = SKIPPABLE_RE.match(source, i).end()
    return text.decode("utf-8")


def scan_sources(folder):
    """(file, line, english) for every translated call with a literal argument under `folder`."""
    found = []
    for path in sorted(pathlib.Path(folder).rglob("*")):
        if path.suffix not in (".cpp", ".h"):
            continue
        source = path.read_text(encoding="utf-8")
        for m in CALL_RE.finditer(source):
            line_start = source.rfind("\n", 0, m.start()) + 1
            if source[line_start:m.start()].lstrip().startswith("//"):
                continue  # a call shown in a comment, e.g. the usage notes in i18n.h
            english = literal_argument(source, m.end())
            if english is not None:
                found.append((str(path), source.count("\n", 0, m.start()) + 1, english))
    return found


def c_literal(text):
    """A C string literal for `text`: printable ASCII as is, everything else as octal escapes."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= byte < 127:
            out.append(ch)
        else:
            out.append("\\%03o" % byte)
    return '"' + "".join(out) + '"'


def entries_array(name, pairs, comment):
    # Sorted bytewise, the order strcmp gives, so the C++ side can binary-search.
    rows = sorted(pairs, key=lambda p: p[0].encode("utf-8"))
    lines = [f"// {comment}", f"inline constexpr CatalogueEntry {name}[] = {{"]
    lines += [f"    {{{c_literal(e)}, {c_literal(t)}}}," for e, t in rows]
    lines.append("};")
    return lines


def manifest_texts(paths):
    """Every text in the manifests' "zh-Hans" blocks (names, intended uses, populations, labels)."""
    texts = []

    def walk(value):
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
    for path in paths:
        try:
            walk(json.loads(pathlib.Path(path).read_text(encoding="utf-8")).get("zh-Hans", {}))
        except (OSError, ValueError) as err:
            raise CatalogueError(f"{path}: {err}")
    return texts


def glyph_characters(ui, terms, extra=()):
    """Every non-ASCII character the UI may draw in either language, sorted by code point."""
    chars = set()
    for text in extra:
        chars.update(text)
    for english, translated, _ in ui:
        chars.update(english + translated)
    for english, translated, _ in terms:
        chars.update((english or "") + translated)
    return "".join(sorted(c for c in chars if ord(c) > 0x7E and c not in "\t\n"))


def generate(args):
    ui = read_pairs(args.catalogue)
    terms = read_pairs(args.terms, allow_bare=True)
    glyphs = glyph_characters(ui, terms, manifest_texts(args.manifests))
    header = [
        "// Generated by src/app/i18n_catalogue.py from assets/i18n/zh-Hans.tsv and",
        "// assets/i18n/medical_terms_zh.txt at build time; edit those files, not this one.",
        "#pragma once",
        "",
        "namespace dx::i18n_data {",
        "",
        "struct CatalogueEntry {",
        "    const char* english;",
        "    const char* translated;",
        "};",
        "",
    ]
    header += entries_array("kZhHansUi", [(e, t) for e, t, _ in ui], "UI strings, keyed by their English text.")
    header.append("")
    named_terms = [(e.lower(), t) for e, t, _ in terms if e is not None]
    header += entries_array("kZhHansTerms", named_terms, "Model labels and class names, keyed in lower case.")
    header += ["", "// Every non-ASCII character either language draws (the CJK font subset contains them).",
               f"inline constexpr const char kUiGlyphs[] = {c_literal(glyphs)};", "",
               "} // namespace dx::i18n_data", ""]
    for out in (args.header, args.glyphs):
        pathlib.Path(out).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(args.header).write_text("\n".join(header), encoding="utf-8")
    # pyftsubset's --text-file: the UI's characters plus printable ASCII and Latin-1, so that nothing the
    # Chinese UI mixes in (numbers, file names) has to fall back to another font.
    latin = "".join(chr(c) for c in list(range(0x20, 0x7F)) + list(range(0xA0, 0x100)))
    pathlib.Path(args.glyphs).write_text(latin + glyphs + "\n", encoding="utf-8")
    return 0


def check(args):
    ui = read_pairs(args.catalogue)
    read_pairs(args.terms, allow_bare=True)  # its syntax is checked too
    translations = {e: t for e, t, _ in ui}
    used = scan_sources(args.sources)
    problems, missing, reported = 0, [], set()
    for path, line, english in used:
        if english in reported:
            continue
        if english not in translations:
            missing.append((path, line, english))
            reported.add(english)
            continue
        want, got = printf_specifiers(english), printf_specifiers(translations[english])
        if want != got:
            print(f"{path}:{line}: the translation of {english!r} has printf specifiers {got}, expected {want}")
            problems += 1
            reported.add(english)
    if missing:
        print(f"{len(missing)} UI string(s) are not in {args.catalogue}. Translate them and add these lines "
              f"(English<TAB>Chinese) to the catalogue:")
        for path, line, english in missing:
            print(f"# {path}:{line}")
            print(f"{escape_field(english)}\t")
    unused = sorted(set(translations) - {e for _, _, e in used})
    if unused and args.verbose:
        print(f"note: {len(unused)} catalogue entries are not used by a literal in {args.sources}:")
        for english in unused:
            print(f"  {english!r}")
    ok = not missing and not problems
    print(f"{len(set(e for _, _, e in used))} distinct UI strings, {len(translations)} catalogue entries: "
          + ("all translated" if ok else f"{len(missing)} missing, {problems} with wrong printf specifiers"))
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("generate", "check"):
        p = sub.add_parser(name)
        p.add_argument("--catalogue", required=True)
        p.add_argument("--terms", required=True)
        if name == "generate":
            p.add_argument("--header", required=True)
            p.add_argument("--glyphs", required=True)
            p.add_argument("--manifests", nargs="*", default=[], help="model manifests whose zh-Hans texts the UI shows")
        else:
            p.add_argument("--sources", required=True)
            p.add_argument("--verbose", action="store_true", help="also list entries no literal uses")
    args = parser.parse_args()
    try:
        return generate(args) if args.command == "generate" else check(args)
    except CatalogueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
