#!/usr/bin/env python3
"""Generate docs/api.md, the human-readable HTTP API reference, from docs/openapi.json.

Usage: scripts/gen-api-reference.py [--check]

Without flags, (re)writes docs/api.md. With --check, writes nothing and exits 1 when
docs/api.md differs from what would be generated (CTest runs this, so the reference cannot
drift from the OpenAPI document).

The output depends only on docs/openapi.json: no timestamps, no environment. Ordering rules:
  - operations are grouped by their first tag; untagged ones by the first path segment after
    a leading /api (every API path starts with /api, so that segment alone would put nearly
    everything in one group);
  - groups appear in the order the document first mentions them (tags listed in the
    top-level "tags" array come first, in that order);
  - within a group, operations are sorted by path, then by HTTP method in a fixed order;
  - responses are sorted by status code; parameters keep their declared order, which is
    meaningful (path parameters first, then filters, then pagination);
  - component schemas are listed alphabetically at the end.
"""

import difflib
import json
import re
import sys
from pathlib import Path

# The repository root, found from this file's location so the script works from any cwd.
ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "docs" / "openapi.json"
OUT_PATH = ROOT / "docs" / "api.md"

METHODS = ["get", "post", "put", "patch", "delete", "head", "options", "trace"]


# --------------------------------------------------------------------------------------------
# Markdown helpers

def escape_text(text):
    """Escape prose from the document so Markdown renders it literally.

    Descriptions are plain text. Only the constructs that would otherwise change meaning are
    escaped, so the generated file stays readable as source: '<' that could open an HTML tag
    or autolink (e.g. "<version>"), every '*', and '_' at a word boundary (intraword
    underscores, as in ai_opt_out, never start emphasis in GitHub Markdown).
    """
    text = " ".join(str(text).split())  # one line: descriptions end up in lists and tables
    text = text.replace("\\", "\\\\")
    text = re.sub(r"<(?=[A-Za-z/!?])", r"\\<", text)
    text = text.replace("*", "\\*")
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    return text


def escape_block(text):
    """escape_text for a paragraph of its own: also neutralise block markers at its start."""
    text = escape_text(text)
    return re.sub(r"^([#>+-]|\d+[.)])", r"\\\1", text)


def cell(text):
    """Text for a table cell: a '|' would end the cell, even inside a code span."""
    return text.replace("|", "\\|") if text else ""


def code(value):
    """A value as a code span (JSON-encoded unless it is a string)."""
    text = value if isinstance(value, str) else json.dumps(value)
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


class Slugger:
    """Heading anchors as GitHub computes them, including the -1, -2 suffixes of repeats.

    Every heading in the file must pass through one instance, in file order, so that the
    suffixes match what the renderer assigns.
    """

    def __init__(self):
        self.seen = {}

    def slug(self, heading):
        base = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = self.seen.get(base, 0)
        self.seen[base] = count + 1
        return base if count == 0 else f"{base}-{count}"


# --------------------------------------------------------------------------------------------
# Reading the document

class Spec:
    def __init__(self, doc):
        self.doc = doc
        self.schemas = doc.get("components", {}).get("schemas", {})
        self.schema_anchor = {}  # component schema name -> anchor, filled in by the renderer

    def resolve(self, obj):
        """Follow local $refs (#/components/...) to the object they name."""
        seen = set()
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            if ref in seen or not ref.startswith("#/"):
                raise SystemExit(f"gen-api-reference: cannot resolve $ref {ref!r}")
            seen.add(ref)
            target = self.doc
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    raise SystemExit(f"gen-api-reference: dangling $ref {ref!r}")
                target = target[part]
            obj = target
        return obj

    @staticmethod
    def ref_name(schema):
        """The component name a schema $ref points at, or None."""
        ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
        prefix = "#/components/schemas/"
        return ref[len(prefix):] if ref.startswith(prefix) else None

    def link(self, name):
        anchor = self.schema_anchor.get(name)
        return f"[{name}](#{anchor})" if anchor else code(name)


# --------------------------------------------------------------------------------------------
# Schema summaries

def type_list(schema):
    t = schema.get("type")
    if t is None:
        return []
    return t if isinstance(t, list) else [t]


def has_properties(schema):
    return isinstance(schema, dict) and bool(schema.get("properties"))


def limits(schema):
    """Constraints worth knowing at a glance: lengths, ranges, counts, defaults, access."""
    out = []

    def span(lo, hi, one, many):
        def n(count):
            return f"{count} {one if count == 1 else many}"
        if lo is not None and hi is not None:
            out.append(f"exactly {n(lo)}" if lo == hi else f"{lo}..{n(hi)}")
        elif lo is not None:
            out.append(f"at least {n(lo)}")
        elif hi is not None:
            out.append(f"at most {n(hi)}")

    span(schema.get("minLength"), schema.get("maxLength"), "char", "chars")
    span(schema.get("minItems"), schema.get("maxItems"), "item", "items")
    span(schema.get("minProperties"), schema.get("maxProperties"), "property", "properties")

    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None and hi is not None:
        out.append(f"{lo}..{hi}")
    elif lo is not None:
        out.append(f">= {lo}")
    elif hi is not None:
        out.append(f"<= {hi}")
    # OpenAPI 3.1 (JSON Schema 2020-12) makes the exclusive bounds numbers, not booleans.
    for key, op in (("exclusiveMinimum", ">"), ("exclusiveMaximum", "<")):
        bound = schema.get(key)
        if isinstance(bound, (int, float)) and not isinstance(bound, bool):
            out.append(f"{op} {bound}")
    if "multipleOf" in schema:
        out.append(f"multiple of {schema['multipleOf']}")
    if schema.get("uniqueItems"):
        out.append("unique items")
    if "pattern" in schema:
        out.append(f"pattern {code(schema['pattern'])}")
    if "default" in schema:
        out.append(f"default {code(schema['default'])}")
    if schema.get("readOnly"):
        out.append("read-only")
    if schema.get("writeOnly"):
        out.append("write-only")
    if schema.get("deprecated"):
        out.append("deprecated")
    return out


def type_str(spec, schema):
    """A one-line type: "string (uuid) | null", "array of [Lead](#lead)", "one of `a`, `b`"."""
    if not isinstance(schema, dict) or not schema:
        return "any"
    name = spec.ref_name(schema)
    if name:
        return spec.link(name)
    if "$ref" in schema:
        return type_str(spec, spec.resolve(schema))

    if "const" in schema:
        return f"constant {code(schema['const'])}"

    for key, word in (("oneOf", " or "), ("anyOf", " or "), ("allOf", " and ")):
        if key in schema:
            parts = []
            for variant in schema[key]:
                text = type_str(spec, variant)
                extra = limits(variant) if "$ref" not in variant else []
                parts.append(f"{text} ({', '.join(extra)})" if extra else text)
            return word.join(parts)

    types = type_list(schema)
    if "enum" in schema:
        values = ", ".join(code(v) for v in schema["enum"])
        base = " | ".join(t for t in types if t != "null")
        text = f"{base}, one of {values}" if base else f"one of {values}"
        return f"{text} | null" if "null" in types else text

    words = []
    for t in types or (["object"] if "properties" in schema else []):
        if t == "array":
            items = schema.get("items")
            if items is None:
                words.append("array")
            else:
                item_text = type_str(spec, items)
                # "array of one of `a`, `b`" would be ambiguous about what "one" is.
                joiner = ", each " if item_text.startswith("one of ") else " of "
                text = f"array{joiner}{item_text}"
                inner = limits(items) if "$ref" not in items else []
                words.append(f"{text} ({', '.join(inner)})" if inner else text)
        elif t == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and not has_properties(schema):
                words.append(f"object (map of {type_str(spec, extra)})")
            else:
                words.append("object")
        elif t == "string" and "format" in schema:
            words.append(f"string ({schema['format']})")
        else:
            words.append(t)
    if not words:
        return "any"
    return " | ".join(words)


def nested_object(schema):
    """The inline object a property expands into (itself, or its array items), or None.

    Only inline objects are expanded; a $ref to a component is shown as a link instead, which
    keeps the summaries short and makes recursive schemas harmless.
    """
    if has_properties(schema):
        return schema
    if "array" in type_list(schema):
        items = schema.get("items")
        if isinstance(items, dict) and "$ref" not in items and has_properties(items):
            return items
    for key in ("oneOf", "anyOf"):
        inline = [v for v in schema.get(key, []) if "$ref" not in v and has_properties(v)]
        if len(inline) == 1:
            return inline[0]
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and "$ref" not in extra and has_properties(extra):
        return extra
    return None


def property_lines(spec, schema, depth):
    """Bullet lines for an object's properties, recursing into inline objects."""
    lines = []
    indent = "  " * depth
    required = set(schema.get("required", []))
    for prop, sub in schema.get("properties", {}).items():
        sub = sub if isinstance(sub, dict) else {}
        parts = [type_str(spec, sub)]
        if "$ref" not in sub:
            parts += limits(sub)
        line = f"{indent}- {code(prop)}"
        if prop in required:
            line += " (required)"
        line += ": " + "; ".join(parts)
        description = sub.get("description")
        if description:
            line += " — " + escape_text(description)
        lines.append(line)
        inner = nested_object(sub)
        if inner is not None:
            lines += property_lines(spec, inner, depth + 1)
    return lines + object_notes(schema, depth)


def object_notes(schema, depth):
    """What an object says about properties it does not list."""
    extra = schema.get("additionalProperties")
    if extra is False:
        return ["  " * depth + "- *no other properties are accepted*"]
    if extra is True:
        return ["  " * depth + "- *other properties may appear*"]
    return []


def schema_block(spec, schema):
    """A schema summary: one line for simple types, bullets for objects.

    Returns (headline, bullet lines). A top-level $ref to a component object is expanded in
    place (and named in the headline) so that each operation's section is self-contained;
    deeper $refs are links to the Schemas section.
    """
    name = spec.ref_name(schema)
    if name:
        target = spec.resolve(schema)
        if has_properties(target):
            head = spec.link(name)
            if target.get("description"):
                head += " — " + escape_text(target["description"])
            return head, property_lines(spec, target, 0)
    if name or not isinstance(schema, dict):
        return type_str(spec, schema), []

    if has_properties(schema):
        head = "object"
        if schema.get("description"):
            head += " — " + escape_text(schema["description"])
        return head, property_lines(spec, schema, 0)

    inner = nested_object(schema)
    head = type_str(spec, schema)
    extra = limits(schema)
    if extra:
        head += "; " + "; ".join(extra)
    if schema.get("description"):
        head += " — " + escape_text(schema["description"])
    if inner is not None:
        return head, property_lines(spec, inner, 0)
    return head, []


def content_lines(spec, content):
    """Lines describing a content map; media types with identical schemas share one entry."""
    entries = []  # (media types, headline, bullets), in the document's order
    for media, body in content.items():
        schema = (body or {}).get("schema")
        if schema is None:
            head, bullets = "no schema given", []
        else:
            head, bullets = schema_block(spec, schema)
        for entry in entries:
            if entry[1] == head and entry[2] == bullets:
                entry[0].append(media)
                break
        else:
            entries.append(([media], head, bullets))
    lines = []
    for medias, head, bullets in entries:
        lines.append(f"{', '.join(code(m) for m in medias)}: {head}")
        if bullets:
            lines.append("")
            lines += bullets
        lines.append("")
    return lines


# --------------------------------------------------------------------------------------------
# Operations

def group_of(path, op):
    tags = op.get("tags") or []
    if tags:
        return tags[0]
    segments = [s for s in path.split("/") if s]
    if len(segments) > 1 and segments[0] == "api":
        return "/api/" + segments[1]
    return "/" + segments[0] if segments else "/"


def status_key(status):
    """Numeric codes first in order, then ranges like 4XX at their place, 'default' last."""
    text = str(status).upper()
    if text.isdigit():
        return (int(text), 0, text)
    if len(text) == 3 and text[0].isdigit() and text[1:] == "XX":
        return (int(text[0]) * 100 + 99, 1, text)
    return (1000, 2, text)


def security_text(op):
    """None when the operation uses the document's default security, else a sentence."""
    if "security" not in op:
        return None
    requirements = op["security"]
    if not requirements:
        return "No authentication."
    names = sorted({name for req in requirements for name in req})
    return "Authentication: " + ", ".join(code(n) for n in names) + "."


def parameters_of(spec, path_item, op):
    """Path-level parameters overridden by operation-level ones with the same name and in."""
    merged = {}
    for raw in path_item.get("parameters", []) + op.get("parameters", []):
        param = spec.resolve(raw)
        merged[(param.get("name"), param.get("in"))] = param
    return list(merged.values())


def parameter_rows(spec, params):
    lines = ["| Name | In | Type | Required | Description |", "|---|---|---|---|---|"]
    for p in params:
        schema = p.get("schema") or {}
        type_text = type_str(spec, schema)
        if "$ref" not in schema:
            extra = limits(schema)
            if extra:
                type_text += "; " + "; ".join(extra)
        required = p.get("required", False) or p.get("in") == "path"
        description = escape_text(p.get("description", ""))
        if p.get("deprecated"):
            description = ("Deprecated. " + description).strip()
        lines.append(f"| {code(p.get('name', ''))} | {p.get('in', '')} | {cell(type_text)} | "
                     f"{'yes' if required else 'no'} | {cell(description)} |")
    return lines


def response_lines(spec, responses):
    lines = ["| Status | Description | Body |", "|---|---|---|"]
    details = []  # [statuses, content lines]; identical bodies (200 and 201, say) share one
    for status in sorted(responses, key=status_key):
        resp = spec.resolve(responses[status])
        description = escape_text(resp.get("description", ""))
        for header, raw in (resp.get("headers") or {}).items():
            h = spec.resolve(raw)
            note = f"header {code(header)}"
            if h.get("description"):
                note += ": " + escape_text(h["description"])
            description = f"{description}; {note}" if description else note
        content = resp.get("content") or {}
        body = []
        for media, media_obj in content.items():
            schema = (media_obj or {}).get("schema")
            name = spec.ref_name(schema)
            body.append(f"{code(media)} {spec.link(name)}" if name else code(media))
        lines.append(f"| {status} | {cell(description)} | {cell(', '.join(body)) or '—'} |")

        # Error bodies that only reference a shared component (Problem) are linked, not
        # repeated under every operation; everything else with a body is summarised below.
        shared_error = status_key(status)[0] >= 400 and all(
            spec.ref_name((m or {}).get("schema")) for m in content.values())
        if content and not shared_error:
            body_lines = content_lines(spec, content)
            for entry in details:
                if entry[1] == body_lines:
                    entry[0].append(status)
                    break
            else:
                details.append([[status], body_lines])

    detail_lines = []
    for statuses, body_lines in details:
        label = ", ".join(f"**{s}**" for s in statuses)
        detail_lines += [f"{label} {body_lines[0]}"] + body_lines[1:]
    return lines, detail_lines


def operation_section(spec, method, path, path_item, op):
    lines = [f"### {op_heading(method, path)}", ""]
    if op.get("deprecated"):
        lines += ["**Deprecated.**", ""]
    if op.get("summary"):
        lines += [escape_block(op["summary"]), ""]
    if op.get("description"):
        lines += [escape_block(op["description"]), ""]
    auth = security_text(op)
    if auth:
        lines += [auth, ""]

    params = parameters_of(spec, path_item, op)
    if params:
        lines += ["**Parameters**", ""] + parameter_rows(spec, params) + [""]

    if "requestBody" in op:
        body = spec.resolve(op["requestBody"])
        head = "**Request body** (" + ("required" if body.get("required") else "optional") + ")"
        if body.get("description"):
            head += " — " + escape_text(body["description"])
        lines += [head, ""] + content_lines(spec, body.get("content") or {})

    responses = op.get("responses") or {}
    if responses:
        table, details = response_lines(spec, responses)
        lines += ["**Responses**", ""] + table + [""] + details
    return lines


# --------------------------------------------------------------------------------------------
# The whole file

def intro(spec):
    """The conventions paragraph, built from what the document itself declares."""
    doc = spec.doc
    info = doc.get("info", {})
    sentences = []
    version = info.get("version")
    if version:
        sentences.append(f"Version {version} of the API, described by an OpenAPI "
                         f"{doc.get('openapi', '')} document ([openapi.json](openapi.json)).")
    if info.get("description"):
        sentences.append(escape_text(info["description"]))

    servers = [s.get("url") for s in doc.get("servers", []) if s.get("url")]
    if servers:
        sentences.append("Paths are relative to the server URL "
                         + " or ".join(code(u) for u in servers) + ".")

    schemes = doc.get("components", {}).get("securitySchemes", {})
    default = sorted({name for req in doc.get("security", []) for name in req})
    auth = []
    for name in default:
        scheme = schemes.get(name, {})
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
            text = "`Authorization: Bearer <token>`"
        elif scheme.get("type") == "http":
            text = f"HTTP {scheme.get('scheme', '')} authentication"
        elif scheme.get("type") == "apiKey":
            text = f"an API key in the {scheme.get('in', '')} {code(scheme.get('name', ''))}"
        else:
            text = code(name)
        description = escape_text(scheme.get("description", "")).rstrip(".")
        if description:
            # The description is a noun phrase ("A session token ..."); it continues the
            # sentence here, so lower-case its first letter unless that starts an acronym.
            first = description.split()[0]
            if not (len(first) > 1 and first.isupper()):
                description = description[0].lower() + description[1:]
            text += " — " + description
        auth.append(text)
    if auth:
        sentences.append("Unless an operation says otherwise, requests authenticate with "
                         + " or ".join(auth) + ".")

    problem = problem_schema_name(spec)
    if problem:
        target = spec.resolve({"$ref": f"#/components/schemas/{problem}"})
        required = set(target.get("required", []))
        always = [code(p) for p in target.get("properties", {}) if p in required]
        optional = [code(p) for p in target.get("properties", {}) if p not in required]
        text = ("Error responses carry an `application/problem+json` body of the "
                f"{spec.link(problem)} shape")
        if always:
            text += f" with {join_words(always)} always present"
        if optional:
            text += (" and" if always else " with") + f" optionally {join_words(optional)}"
        sentences.append(text + ".")
    return " ".join(sentences)


def join_words(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def problem_schema_name(spec):
    """The component most often used for application/problem+json bodies, if any."""
    counts = {}

    def visit(content):
        schema = (content or {}).get("application/problem+json", {}).get("schema")
        name = spec.ref_name(schema)
        if name:
            counts[name] = counts.get(name, 0) + 1

    for resp in spec.doc.get("components", {}).get("responses", {}).values():
        visit(resp.get("content"))
    for item in spec.doc.get("paths", {}).values():
        for method in METHODS:
            for resp in (item.get(method) or {}).get("responses", {}).values():
                if "$ref" not in resp:
                    visit(resp.get("content"))
    return max(sorted(counts), key=lambda n: counts[n]) if counts else None


def op_heading(method, path):
    return f"`{method.upper()} {path}`"


def group_heading(name):
    # Path-prefix groups read best as code; tag names are prose.
    return code(name) if name.startswith("/") else escape_text(name)


def render(doc):
    spec = Spec(doc)
    info = doc.get("info", {})
    title = escape_text(f"{info.get('title', 'HTTP API')} reference")

    # Group the operations (see the module docstring for the ordering rules).
    groups = {tag.get("name"): [] for tag in doc.get("tags", []) if tag.get("name")}
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                groups.setdefault(group_of(path, item[method]), []).append((path, method))
    groups = {name: ops for name, ops in groups.items() if ops}
    for ops in groups.values():
        ops.sort(key=lambda pm: (pm[0], METHODS.index(pm[1])))
    tag_descriptions = {t.get("name"): t.get("description") for t in doc.get("tags", [])}
    schema_names = sorted(spec.schemas)

    # Anchors first, for every heading in file order: GitHub numbers repeated slugs in that
    # order, and the table of contents and schema links refer forward to them.
    slugger = Slugger()
    slugger.slug(title)
    slugger.slug("Contents")
    anchor = {}
    for name, ops in groups.items():
        anchor[name] = slugger.slug(group_heading(name))
        for path, method in ops:
            anchor[(path, method)] = slugger.slug(op_heading(method, path))
    if schema_names:
        schemas_anchor = slugger.slug("Schemas")
        for name in schema_names:
            spec.schema_anchor[name] = slugger.slug(name)

    lines = [f"# {title}", "",
             "This file is generated from [openapi.json](openapi.json) by "
             "`scripts/gen-api-reference.py`; change those rather than this file.", "",
             intro(spec), "", "## Contents", ""]
    for name, ops in groups.items():
        lines.append(f"- [{group_heading(name)}](#{anchor[name]})")
        for path, method in ops:
            entry = f"  - [{op_heading(method, path)}](#{anchor[(path, method)]})"
            summary = doc["paths"][path][method].get("summary")
            if summary:
                entry += " — " + escape_text(summary)
            lines.append(entry)
    if schema_names:
        lines.append(f"- [Schemas](#{schemas_anchor})")

    for name, ops in groups.items():
        lines += ["", f"## {group_heading(name)}", ""]
        if tag_descriptions.get(name):
            lines += [escape_block(tag_descriptions[name]), ""]
        for path, method in ops:
            item = doc["paths"][path]
            lines += operation_section(spec, method, path, item, item[method])

    if schema_names:
        lines += ["", "## Schemas", "",
                  "Component schemas referenced above, in alphabetical order.", ""]
        for name in schema_names:
            schema = spec.schemas[name]
            lines += [f"### {name}", ""]
            if schema.get("description"):
                lines += [escape_block(schema["description"]), ""]
            if has_properties(schema):
                lines += property_lines(spec, schema, 0)
            else:
                # Not an object with properties (an alias, an enum, ...): one line says it.
                lines.append("; ".join([type_str(spec, schema)] + limits(schema)))
            lines.append("")

    # Collapse runs of blank lines and end with exactly one newline.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def main(argv):
    check = False
    for arg in argv[1:]:
        if arg == "--check":
            check = True
        elif arg in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        else:
            print(f"usage: {Path(argv[0]).name} [--check]", file=sys.stderr)
            return 2

    with open(SPEC_PATH, encoding="utf-8") as f:
        doc = json.load(f)
    text = render(doc)
    rel = OUT_PATH.relative_to(ROOT)

    if not check:
        with open(OUT_PATH, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        return 0

    try:
        current = OUT_PATH.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = None
    if current == text:
        return 0
    if current is None:
        print(f"{rel} is missing; run scripts/gen-api-reference.py", file=sys.stderr)
        return 1
    diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(),
                                     f"{rel} (on disk)", f"{rel} (generated)", lineterm=""))
    print(f"{rel} is out of date with docs/openapi.json; run scripts/gen-api-reference.py",
          file=sys.stderr)
    shown = 20
    print("\n".join(diff[:shown]), file=sys.stderr)
    if len(diff) > shown:
        print(f"... ({len(diff) - shown} more diff lines)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
