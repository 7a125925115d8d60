"""Coordinator groups and their permissions (least privilege).

The groups are created by a migration; their permissions are kept in step after every migrate, because a
permission exists only once its model's migration has run. Each app lists what each group may do on its own
AppConfig as `group_permissions = {"group name": ["app_label.codename", ...]}`.
"""

from django.apps import apps

COORDINATORS = "coordinators"
CONSULTATION_STAFF = "consultation staff"
DONATIONS_STAFF = "donations staff"
# Read the change audit (jii/audit.py), carry out erasure requests, publish the privacy notice and the volunteers'
# pledge: give it to one or two trusted coordinators, alongside their working group.
PRIVACY_OFFICERS = "privacy officers"
ALL_GROUPS = [COORDINATORS, CONSULTATION_STAFF, DONATIONS_STAFF, PRIVACY_OFFICERS]


def wanted_permissions() -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {name: set() for name in ALL_GROUPS}
    for app_config in apps.get_app_configs():
        for group, perms in getattr(app_config, "group_permissions", {}).items():
            wanted[group].update(perms)
    return wanted


def sync_group_permissions(**kwargs) -> None:
    # Imported here: AppConfig modules import this file before the model registry is ready.
    from django.contrib.auth.models import Group, Permission

    for name, perms in wanted_permissions().items():
        group, _ = Group.objects.get_or_create(name=name)
        found: list[Permission] = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found += Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        group.permissions.set(found)
