"""Validates rendered Kubernetes manifests offline, as `kubectl apply --validate=strict` would.

Reads the YAML documents of `kubectl kustomize` on stdin. Objects of the built-in kinds are
checked against the Kubernetes JSON schemas that kubernetes-validate ships (strict: an unknown
field is an error); custom resources against the openAPIV3Schema of their CRD, given with
--crd (the Strimzi CRDs), made strict the same way: an object schema without
x-kubernetes-preserve-unknown-fields admits only the fields it names, as the API server's
pruning and strict field validation do. An object whose kind has no schema is an error.

Prints one JSON line per object, {"kind", "apiVersion", "name", "errors"}, and exits 1 when any
object has an error.

  python validate.py --kubernetes-version 1.32.0 --crd kafka.yaml --crd kafkanodepool.yaml < rendered.yaml
"""
import argparse
import json
import sys

import jsonschema
import kubernetes_validate
import yaml


def strict(schema):
    """The CRD schema as JSON Schema: unknown fields refused, nullable and int-or-string spelled out."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == 'properties':
            out[key] = {name: strict(sub) for name, sub in value.items()}
        elif key in ('items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'):
            out[key] = strict(value)
        else:
            out[key] = value
    if 'properties' in out and 'additionalProperties' not in out and not out.get('x-kubernetes-preserve-unknown-fields'):
        out['additionalProperties'] = False
    if out.get('nullable') and isinstance(out.get('type'), str):
        out['type'] = [out['type'], 'null']
    if out.get('x-kubernetes-int-or-string') and 'type' not in out and 'anyOf' not in out:
        out['anyOf'] = [{'type': 'integer'}, {'type': 'string'}]
    return out


def crd_validators(paths):
    """(group, version, kind) -> validator, for every served version of every CRD in the files."""
    validators = {}
    for path in paths:
        with open(path) as file:
            for crd in yaml.safe_load_all(file):
                if not crd or crd.get('kind') != 'CustomResourceDefinition':
                    continue
                spec = crd['spec']
                for version in spec['versions']:
                    schema = strict(version['schema']['openAPIV3Schema'])
                    jsonschema.Draft7Validator.check_schema(schema)
                    validators[(spec['group'], version['name'], spec['names']['kind'])] = jsonschema.Draft7Validator(schema)
    return validators


def where(path):
    return '.'.join(str(part) for part in path) or '(root)'


def errors_of(obj, validators, kubernetes_version):
    api_version = str(obj.get('apiVersion', ''))
    group, _, version = api_version.rpartition('/')
    validator = validators.get((group, version, obj.get('kind')))
    if validator is not None:
        return [f'{where(error.absolute_path)}: {error.message}' for error in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))]
    try:
        kubernetes_validate.validate(obj, kubernetes_version, strict=True)
        return []
    except kubernetes_validate.ValidationError as error:
        return [f'{where(error.path)}: {error.message}']
    except kubernetes_validate.SchemaNotFoundError as error:
        return [error.message]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--kubernetes-version', required=True)
    parser.add_argument('--crd', action='append', default=[])
    args = parser.parse_args()
    validators = crd_validators(args.crd)
    failed = False
    for obj in yaml.safe_load_all(sys.stdin):
        if not obj:
            continue
        errors = errors_of(obj, validators, args.kubernetes_version)
        failed = failed or bool(errors)
        name = (obj.get('metadata') or {}).get('name')
        print(json.dumps({'kind': obj.get('kind'), 'apiVersion': obj.get('apiVersion'), 'name': name, 'errors': errors}))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
