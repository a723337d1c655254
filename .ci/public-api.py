#!/usr/bin/env python3
"""Lists the crate's public API from rustdoc's JSON output, one item a line.

Usage: public-api.py CRATE.json > public-api.txt

Walks the crate from its root module the way a user reaches items: public
modules, public `use` re-exports (followed to the item they name), and,
for each type, its public fields, variants, inherent methods and the
traits it implements (not blanket or auto-trait impls). Each line is a
path with its kind and, for functions and methods, its signature, so a
reviewer sees every change of the surface as a diff of this listing.
Lines are sorted; items reachable by two paths are listed under both.
"""
import json
import sys


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    index = doc["index"]
    paths = doc.get("paths", {})
    out = set()

    def item(i):
        return index.get(str(i))

    def name_of(i):
        it = item(i)
        if it and it.get("name"):
            return it["name"]
        p = paths.get(str(i))
        return p["path"][-1] if p else "?"

    def ty(t):
        if t is None:
            return "()"
        k, v = next(iter(t.items()))
        if k == "resolved_path":
            return v["path"].split("::")[-1] + args(v.get("args"))
        if k == "primitive":
            return v
        if k == "generic":
            return v
        if k == "borrowed_ref":
            lt = (v["lifetime"] + " ") if v.get("lifetime") else ""
            return "&" + lt + ("mut " if v["is_mutable"] else "") + ty(v["type"])
        if k == "tuple":
            return "(" + ", ".join(ty(x) for x in v) + ")"
        if k == "slice":
            return "[" + ty(v) + "]"
        if k == "array":
            return "[" + ty(v["type"]) + "; " + str(v["len"]) + "]"
        if k == "impl_trait":
            return "impl " + " + ".join(bound(b) for b in v)
        if k == "dyn_trait":
            return "dyn " + " + ".join(
                p["trait"]["path"].split("::")[-1] + args(p["trait"].get("args"))
                for p in v["traits"]
            )
        if k == "qualified_path":
            return ty(v["self_type"]) + "::" + v["name"]
        if k == "raw_pointer":
            return ("*mut " if v["is_mutable"] else "*const ") + ty(v["type"])
        if k == "function_pointer":
            sig = v["sig"]
            return "fn(" + ", ".join(ty(x[1]) for x in sig["inputs"]) + ")" + ret(sig["output"])
        return k

    def bound(b):
        if "trait_bound" in b:
            tr = b["trait_bound"]["trait"]
            return tr["path"].split("::")[-1] + args(tr.get("args"))
        if "outlives" in b:
            return b["outlives"]
        return "?"

    def args(a):
        if not a:
            return ""
        if "angle_bracketed" in a:
            parts = []
            for x in a["angle_bracketed"]["args"]:
                if "type" in x:
                    parts.append(ty(x["type"]))
                elif "lifetime" in x:
                    parts.append(x["lifetime"])
                elif "const" in x:
                    parts.append(str(x["const"].get("expr", "_")))
            for c in a["angle_bracketed"].get("constraints", []):
                binding = c.get("binding", {})
                if "equality" in binding:
                    parts.append(c["name"] + " = " + ty(binding["equality"].get("type")))
            return "<" + ", ".join(parts) + ">" if parts else ""
        if "parenthesized" in a:
            p = a["parenthesized"]
            return "(" + ", ".join(ty(x) for x in p["inputs"]) + ")" + ret(p.get("output"))
        return ""

    def ret(t):
        return "" if t is None else " -> " + ty(t)

    def generics(g):
        ps = []
        for p in g.get("params", []):
            kind = p["kind"]
            if "lifetime" in kind:
                ps.append(p["name"])
            elif "type" in kind:
                if kind["type"].get("is_synthetic"):
                    continue
                bs = kind["type"].get("bounds", [])
                ps.append(p["name"] + (": " + " + ".join(bound(b) for b in bs) if bs else ""))
            elif "const" in kind:
                ps.append("const " + p["name"] + ": " + ty(kind["const"]["type"]))
        return "<" + ", ".join(ps) + ">" if ps else ""

    def fn_sig(name, f):
        sig = f["sig"]
        inputs = []
        for pname, t in sig["inputs"]:
            if pname == "self":
                s = ty(t)
                inputs.append({"Self": "self", "&Self": "&self", "&mut Self": "&mut self"}.get(s, "self: " + s))
            else:
                inputs.append(pname + ": " + ty(t))
        head = "const fn " if f["header"]["is_const"] else "fn "
        return head + name + generics(f["generics"]) + "(" + ", ".join(inputs) + ")" + ret(sig["output"])

    seen = set()

    def walk(i, path):
        it = item(i)
        if it is None or it.get("crate_id") != 0:
            return
        inner = it["inner"]
        kind = next(iter(inner))
        key = (str(i), path)
        if key in seen:
            return
        seen.add(key)
        if kind == "module":
            out.add(f"pub mod {path}")
            for c in inner["module"]["items"]:
                child = item(c)
                if child is None or child.get("visibility") != "public":
                    continue
                if "use" in child["inner"]:
                    use = child["inner"]["use"]
                    target = use.get("id")
                    if target is None:
                        continue
                    if use["is_glob"]:
                        t = item(target)
                        if t and "module" in t["inner"]:
                            for g in t["inner"]["module"]["items"]:
                                gi = item(g)
                                if gi and gi.get("visibility") == "public" and gi.get("name"):
                                    walk(g, path + "::" + gi["name"])
                        continue
                    walk(target, path + "::" + use["name"])
                elif child.get("name"):
                    walk(c, path + "::" + child["name"])
            return
        if kind == "function":
            out.add(f"pub {fn_sig(path, inner['function'])}")
            return
        if kind in ("struct", "enum", "union"):
            data = inner[kind]
            out.add(f"pub {kind} {path}{generics(data['generics'])}")
            if kind == "struct":
                sk = data["kind"]
                if "plain" in sk:
                    for fid in sk["plain"]["fields"]:
                        fi = item(fid)
                        if fi and fi.get("visibility") == "public":
                            out.add(f"pub {path}::{fi['name']}: {ty(fi['inner']['struct_field'])}")
                elif "tuple" in sk:
                    fields = ["_" if fid is None else ty(item(fid)["inner"]["struct_field"]) for fid in sk["tuple"]]
                    out.add(f"pub struct {path}({', '.join(fields)})")
            if kind == "enum":
                for vid in data["variants"]:
                    vi = item(vid)
                    if vi is None:
                        continue
                    vk = vi["inner"]["variant"]["kind"]
                    if vk == "plain":
                        out.add(f"pub {path}::{vi['name']}")
                    elif "tuple" in vk:
                        fields = ["_" if f is None else ty(item(f)["inner"]["struct_field"]) for f in vk["tuple"]]
                        out.add(f"pub {path}::{vi['name']}({', '.join(fields)})")
                    elif "struct" in vk:
                        for f in vk["struct"]["fields"]:
                            fi = item(f)
                            out.add(f"pub {path}::{vi['name']}::{fi['name']}: {ty(fi['inner']['struct_field'])}")
                if data.get("has_stripped_variants"):
                    out.add(f"#[non_exhaustive] pub enum {path}")
            for imp_id in data["impls"]:
                imp = item(imp_id)
                if imp is None:
                    continue
                im = imp["inner"]["impl"]
                if im.get("is_synthetic") or im.get("blanket_impl") is not None:
                    continue
                if im["trait"] is not None:
                    tr = im["trait"]
                    if tr.get("id") is not None and str(tr["id"]) in index and index[str(tr["id"])].get("crate_id") == 0:
                        pass
                    out.add(f"impl {tr['path'].split('::')[-1]}{args(tr.get('args'))} for {path}")
                    continue
                for m in im["items"]:
                    mi = item(m)
                    if mi is None or mi.get("visibility") != "public":
                        continue
                    mk = next(iter(mi["inner"]))
                    if mk == "function":
                        out.add(f"pub {fn_sig(path + '::' + mi['name'], mi['inner']['function'])}")
                    elif mk == "assoc_const" or mk == "constant":
                        c = mi["inner"][mk]
                        t = c.get("type")
                        out.add(f"pub const {path}::{mi['name']}: {ty(t) if t else '?'}")
            return
        if kind == "trait":
            out.add(f"pub trait {path}{generics(inner['trait']['generics'])}")
            for m in inner["trait"]["items"]:
                mi = item(m)
                if mi and "function" in mi["inner"]:
                    out.add(f"pub {fn_sig(path + '::' + mi['name'], mi['inner']['function'])}")
            return
        if kind == "constant":
            out.add(f"pub const {path}: {ty(inner['constant']['type'])}")
            return
        if kind == "static":
            out.add(f"pub static {path}: {ty(inner['static']['type'])}")
            return
        if kind == "type_alias":
            out.add(f"pub type {path}{generics(inner['type_alias']['generics'])} = {ty(inner['type_alias']['type'])}")
            return
        if kind == "macro":
            out.add(f"pub macro {path}!")
            return
        out.add(f"pub {kind} {path}")

    root = doc["root"]
    walk(root, index[str(root)]["name"])
    for line in sorted(out):
        print(line)


if __name__ == "__main__":
    main()
