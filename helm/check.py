"""The Helm chart's check: real Helm (v4, its Go SDK through the `helm-python-sdk` wheel: no
`helm` binary installs on the development machine) lints the chart and renders it with every
values example; `kubernetes-validate` checks each manifest against the Kubernetes OpenAPI
schemas (strict: an unknown field fails); then what the chart promises is asserted on the
rendered objects. `cargo xtask test` runs it (and installs both packages when missing).

    python3 helm/check.py
"""

from __future__ import annotations

import re
import sys
import traceback
from pathlib import Path

import helm_python as helm
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "helm" / "concord"
EXAMPLES = sorted((CHART / "examples").glob("*.yaml"))
# The oldest Kubernetes the chart supports (Chart.yaml's kubeVersion) and the newest whose
# schemas kubernetes-validate carries.
KUBE_VERSIONS = ["1.29.0", "1.37.0"]
WORKLOADS = {"Deployment", "Job"}


def example(name: str) -> dict:
    return yaml.safe_load((CHART / "examples" / name).read_text())


def render(values: dict, *, upgrade: bool = False) -> list[dict]:
    """The objects Helm would apply (hooks included), NOTES.txt left out."""
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(values)
        manifests = chart.render(
            values,
            name="concord",
            namespace="concord",
            is_install=not upgrade,
            is_upgrade=upgrade,
        )
    objects = []
    for path, text in sorted(manifests.items()):
        if path.endswith("NOTES.txt"):
            continue
        objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return objects


def by_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind]


def named(objects: list[dict], kind: str, name: str) -> dict:
    found = [o for o in by_kind(objects, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_specs(objects: list[dict]) -> list[tuple[str, dict]]:
    return [
        (o["metadata"]["name"], o["spec"]["template"]["spec"])
        for o in objects
        if o["kind"] in WORKLOADS
    ]


def container_env(objects: list[dict], workload: str) -> dict[str, str]:
    """A workload's environment as its container sees it: the ConfigMap, then `env`."""
    spec = next(s for name, s in pod_specs(objects) if name == workload)
    (container,) = spec["containers"]
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        config = named(objects, "ConfigMap", source["configMapRef"]["name"])
        env.update(config["data"])
    for variable in container.get("env", []):
        env[variable["name"]] = variable.get("value", "<from a secret>")
    return env


def refusal(values: dict) -> str:
    """The message with which Helm refuses `values` (schema or template)."""
    try:
        render(values)
    except helm.HelmError as error:
        return str(error)
    raise AssertionError(f"values were accepted: {values}")


def minimal_values() -> dict:
    return example("chart-written-secret.yaml")


# --- the checks -------------------------------------------------------------------------


def helm_lint_finds_nothing_wrong_with_any_example():
    assert EXAMPLES, "no values examples under helm/concord/examples"
    for path in EXAMPLES:
        for kube in KUBE_VERSIONS:
            report = helm.lint(
                CHART, yaml.safe_load(path.read_text()), strict=True, kube_version=f"v{kube}"
            )
            problems = [m for m in report["messages"] if m["severity"] >= 2]
            assert not report["errors"] and not problems, f"{path.name}: {report}"


def every_example_renders_objects_that_kubernetes_accepts():
    for path in EXAMPLES:
        for upgrade in (False, True):
            objects = render(yaml.safe_load(path.read_text()), upgrade=upgrade)
            assert objects, f"{path.name} rendered nothing"
            for obj in objects:
                for kube in KUBE_VERSIONS:
                    try:
                        kubernetes_validate.validate(obj, kube, strict=True)
                    except kubernetes_validate.ValidationError as error:
                        raise AssertionError(
                            f"{path.name}: {obj['kind']} {obj['metadata']['name']} "
                            f"is not valid Kubernetes {kube}: {error.message} at "
                            f"{list(error.path)}"
                        ) from None


def pods_run_as_the_images_user_without_privilege_and_write_only_tmp():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER 10001:10001" in dockerfile, "the image's user is not the pods' user"
    for path in EXAMPLES:
        for name, spec in pod_specs(render(yaml.safe_load(path.read_text()))):
            pod = spec["securityContext"]
            assert pod["runAsNonRoot"] is True and pod["runAsUser"] == 10001, name
            assert pod["seccompProfile"]["type"] == "RuntimeDefault", name
            assert spec["automountServiceAccountToken"] is False, name
            for container in spec["containers"]:
                ctx = container["securityContext"]
                assert ctx["allowPrivilegeEscalation"] is False, name
                assert ctx["readOnlyRootFilesystem"] is True, name
                assert ctx["capabilities"]["drop"] == ["ALL"], name
                assert ctx.get("privileged") is False, name
                assert container["resources"]["limits"]["memory"], name
                assert container["resources"]["requests"]["cpu"], name
                writable = {
                    m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")
                }
                assert writable == {"/tmp"}, f"{name} writes to {writable}"


def the_api_is_probed_alive_on_healthz_and_ready_on_readyz():
    objects = render(minimal_values())
    (api,) = named(objects, "Deployment", "concord-api")["spec"]["template"]["spec"][
        "containers"
    ]
    assert api["args"] == ["serve"]
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["ports"][0]["containerPort"] == 8080
    env = container_env(objects, "concord-api")
    assert env["CONCORD_LISTEN"].endswith(":8080")
    assert env["CONCORD_RUN_WORKER"] == "false", "API pods leave the jobs to the workers"


def the_schema_is_migrated_once_before_install_and_upgrade_and_pods_never_migrate():
    for upgrade in (False, True):
        objects = render(minimal_values(), upgrade=upgrade)
        job = named(objects, "Job", "concord-migrate")
        annotations = job["metadata"]["annotations"]
        assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["migrate"]
        # The release's own Secret does not exist yet before an install: the hook's does,
        # and it is made before the Job.
        secret_ref = container["env"][0]["valueFrom"]["secretKeyRef"]
        hook_secret = named(objects, "Secret", secret_ref["name"])
        assert hook_secret["metadata"]["annotations"]["helm.sh/hook"] == annotations["helm.sh/hook"]
        assert int(hook_secret["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
            annotations["helm.sh/hook-weight"]
        )
        assert "hook-succeeded" in hook_secret["metadata"]["annotations"]["helm.sh/hook-delete-policy"]
        assert set(hook_secret["stringData"]) == {"DATABASE_URL"}
        for workload in ("concord-api", "concord-worker"):
            assert container_env(objects, workload)["CONCORD_MIGRATE_ON_START"] == "false"
    (worker,) = named(objects, "Deployment", "concord-worker")["spec"]["template"]["spec"][
        "containers"
    ]
    assert worker["args"] == ["worker"]


def every_setting_the_chart_passes_is_one_concord_reads():
    source = (ROOT / "domain" / "src" / "settings.rs").read_text()
    known = set(re.findall(r'"((?:CONCORD|DATABASE|REDIS)_[A-Z0-9_]+)"', source)) | {"RUST_LOG"}
    for path in EXAMPLES:
        objects = render(yaml.safe_load(path.read_text()))
        for name, spec in pod_specs(objects):
            env = container_env(objects, name)
            unknown = set(env) - known
            assert not unknown, f"{path.name}: {name} sets {unknown}, which Concord does not read"
    env = container_env(render(minimal_values()), "concord-api")
    assert env["CONCORD_ENV"] == "production"
    for setting in ("CONCORD_JWT_PRIVATE_KEY_FILE", "CONCORD_JWT_PUBLIC_KEY_FILE", "CONCORD_SSN_KEY_FILE"):
        assert env[setting].startswith("/etc/concord/keys/"), setting


def the_key_files_are_mounted_where_the_settings_name_them():
    objects = render(minimal_values())
    env = container_env(objects, "concord-api")
    spec = named(objects, "Deployment", "concord-api")["spec"]["template"]["spec"]
    (mount,) = [m for m in spec["containers"][0]["volumeMounts"] if m["name"] == "keys"]
    (volume,) = [v for v in spec["volumes"] if v["name"] == "keys"]
    files = {f"{mount['mountPath']}/{item['path']}" for item in volume["secret"]["items"]}
    named_files = {
        env[s]
        for s in ("CONCORD_JWT_PRIVATE_KEY_FILE", "CONCORD_JWT_PUBLIC_KEY_FILE", "CONCORD_SSN_KEY_FILE")
    }
    assert files == named_files, f"mounted {files}, settings name {named_files}"
    secret = named(objects, "Secret", "concord")
    assert {item["key"] for item in volume["secret"]["items"]} <= set(secret["stringData"])


def secret_values_appear_in_secrets_only():
    values = minimal_values()
    secrets = [v for v in values["secrets"].values() if v]
    assert len(secrets) >= 8
    for obj in render(values):
        if obj["kind"] == "Secret":
            continue
        text = yaml.safe_dump(obj)
        for value in secrets:
            for line in value.strip().splitlines():
                if len(line) > 8 and "-----" not in line:
                    assert line not in text, f"a secret value is in {obj['kind']} {obj['metadata']['name']}"


def an_existing_secret_is_referenced_and_the_chart_writes_none():
    objects = render(example("external-postgres-redis.yaml"))
    assert not by_kind(objects, "Secret"), "the chart wrote a Secret beside the existing one"
    for name, spec in pod_specs(objects):
        for container in spec["containers"]:
            refs = {
                v["valueFrom"]["secretKeyRef"]["name"]
                for v in container.get("env", [])
                if "valueFrom" in v
            }
            assert refs == {"concord-secrets"}, f"{name} reads secrets from {refs}"
        keys = [v for v in spec["volumes"] if v["name"] == "keys"]
        for volume in keys:
            assert volume["secret"]["secretName"] == "concord-secrets", name


def bad_values_are_refused_naming_the_value():
    base = minimal_values()
    cases = [
        ({**base, "publicUrl": ""}, "publicUrl"),
        ({**base, "publicUrl": "concord.example.org"}, "/publicUrl"),
        ({**base, "secrets": {**base["secrets"], "databaseUrl": ""}}, "secrets.databaseUrl"),
        ({**base, "secrets": {**base["secrets"], "databaseUrl": "mysql://x"}}, "/secrets/databaseUrl"),
        ({**base, "secrets": {**base["secrets"], "ssnKey": ""}}, "secrets.ssnKey"),
        ({**base, "api": {"replicas": "two"}}, "/api/replicas"),
        ({**base, "config": {"storage": {"bucket": ""}}}, "config.storage.bucket"),
        ({**base, "config": {"storage": {"bucket": "b", "backend": "local"}}}, "backend"),
        ({**base, "config": {"storage": {"bucket": "b"}, "extraEnv": {"CONCORD_CLOCK": "manual"}}}, "CONCORD_CLOCK"),
        ({**base, "config": {"storage": {"bucket": "b"}, "extraEnv": {"CONCORD_REDIS_PREFIX": "x:"}}}, "CONCORD_REDIS_PREFIX"),
        ({**base, "config": {"storage": {"bucket": "b"}, "extraEnv": {"CONCORD_SMTP_PASSWORD": "x"}}}, "CONCORD_SMTP_PASSWORD"),
        ({**base, "ingress": {"enabled": True}}, "ingress.host"),
        ({**base, "replicaCount": 3}, "replicaCount"),
    ]
    for values, named_in_refusal in cases:
        message = refusal(values)
        assert named_in_refusal in message, f"{named_in_refusal!r} not named in: {message}"


def extra_env_cannot_override_what_the_chart_sets_or_hold_a_secret():
    with helm.Chart.load(CHART) as chart:
        refused = set(
            chart.schema["properties"]["config"]["properties"]["extraEnv"]["propertyNames"]["not"]["enum"]
        )
    values = example("external-postgres-redis.yaml")
    objects = render(values)
    set_by_chart = set(container_env(objects, "concord-api")) | set(
        container_env(objects, "concord-worker")
    )
    set_by_chart -= set(values["config"]["extraEnv"])
    settable = set_by_chart - refused - {"DATABASE_URL", "REDIS_URL", "DATABASE_POOL_SIZE"}
    assert not settable, f"extraEnv could override {settable}"


def one_api_pod_has_no_disruption_budget_and_autoscaling_owns_the_replica_count():
    single = render(minimal_values())
    assert not by_kind(single, "PodDisruptionBudget"), "a budget of one pod blocks every drain"
    assert named(single, "Deployment", "concord-api")["spec"]["replicas"] == 1
    scaled = render(example("external-postgres-redis.yaml"))
    hpa = named(scaled, "HorizontalPodAutoscaler", "concord-api")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "concord-api"
    assert "replicas" not in named(scaled, "Deployment", "concord-api")["spec"]
    assert named(scaled, "PodDisruptionBudget", "concord-api")["spec"]["minAvailable"] == 1


def network_policies_admit_only_the_api_port_and_nothing_to_workers():
    objects = render(example("external-postgres-redis.yaml"))
    api = named(objects, "NetworkPolicy", "concord-api")["spec"]
    assert api["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "api"
    (rule,) = api["ingress"]
    assert rule["ports"] == [{"port": 8080, "protocol": "TCP"}]
    assert rule["from"][0]["namespaceSelector"]
    internal = named(objects, "NetworkPolicy", "concord-internal")["spec"]
    assert internal["ingress"] == [] and "Ingress" in internal["policyTypes"]
    selected = internal["podSelector"]["matchExpressions"][0]["values"]
    assert sorted(selected) == ["migration", "worker"]
    for policy in (api, internal):
        assert policy["egress"][0]["ports"][0]["port"] == 53, "DNS first"
        assert any("to" in r for r in policy["egress"]), "the example narrows egress"


CHECKS = [
    helm_lint_finds_nothing_wrong_with_any_example,
    every_example_renders_objects_that_kubernetes_accepts,
    pods_run_as_the_images_user_without_privilege_and_write_only_tmp,
    the_api_is_probed_alive_on_healthz_and_ready_on_readyz,
    the_schema_is_migrated_once_before_install_and_upgrade_and_pods_never_migrate,
    every_setting_the_chart_passes_is_one_concord_reads,
    the_key_files_are_mounted_where_the_settings_name_them,
    secret_values_appear_in_secrets_only,
    an_existing_secret_is_referenced_and_the_chart_writes_none,
    bad_values_are_refused_naming_the_value,
    extra_env_cannot_override_what_the_chart_sets_or_hold_a_secret,
    one_api_pod_has_no_disruption_budget_and_autoscaling_owns_the_replica_count,
    network_policies_admit_only_the_api_port_and_nothing_to_workers,
]


def main() -> int:
    print(f"helm chart check: Helm SDK {helm.helm_sdk_version()}, kubernetes-validate "
          f"{kubernetes_validate.version.__version__}, Kubernetes {', '.join(KUBE_VERSIONS)}")
    failed = 0
    for check in CHECKS:
        try:
            check()
            print(f"ok      {check.__name__}")
        except Exception:  # noqa: BLE001 - every failure is reported, then the next check runs
            failed += 1
            print(f"FAILED  {check.__name__}")
            traceback.print_exc(limit=3)
    print(f"chart: {len(CHECKS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
