"""Who may see and edit which district's cases.

Consulate editors work on the districts their StaffProfile holds; everyone else with the
model permissions (HQ editors, viewers, superusers, any staff given permissions directly) is
not limited by district. Every admin surface of cases asks these functions, so the rule lives
in one place.
"""

from staff.roles import CONSULATE_EDITORS, HQ_EDITORS

_CACHE_ATTR = "_staff_allowed_region_ids"


def _group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def allowed_region_ids(user) -> frozenset[int] | None:
    """The ids of the regions a user is limited to, or None for no limit by district.

    None for superusers, HQ editors, viewers and staff outside the consulate role; a frozenset
    (empty when no district is assigned) for consulate editors. Remembered on the user object,
    which lives for one request.
    """
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, False)
    if cached is not False:
        return cached
    result = None
    if not user.is_superuser:
        groups = _group_names(user)
        if CONSULATE_EDITORS in groups and HQ_EDITORS not in groups:
            from staff.models import StaffProfile

            result = frozenset(
                StaffProfile.regions.through.objects.filter(
                    staffprofile__user_id=user.pk
                ).values_list("region_id", flat=True)
            )
    setattr(user, _CACHE_ATTR, result)
    return result


def can_report(user) -> bool:
    """Reports and downloads are reading: any active staff member who may view cases (within
    their districts, for a consulate editor)."""
    return bool(user.is_active and user.is_staff and user.has_perm("cases.view_case"))


def can_make_handout(user) -> bool:
    """The annual handout covers every district (the national map and totals, and the best
    practices of all of them), so it is for staff who may report and are not limited by
    district: HQ editors, viewers and superusers. A consulate editor's districts are only a
    part of it, so it is not offered to them."""
    return can_report(user) and allowed_region_ids(user) is None


def holds_region(user, region_id) -> bool:
    """Whether the region lies in the user's scope (always, for a user not limited by it)."""
    allowed = allowed_region_ids(user)
    if allowed is None:
        return True
    try:
        return int(region_id) in allowed
    except (TypeError, ValueError):
        return False


def can_edit_region(user, region_id, action: str = "change") -> bool:
    """True when the user may add/change/delete cases of that region: the model permission
    (cases.<action>_case) and the region in scope."""
    if region_id is None or not user.is_active:
        return False
    return user.has_perm(f"cases.{action}_case") and holds_region(user, region_id)


def scope_cases(queryset, user, field: str = "region"):
    """The queryset limited to the user's regions; `field` is the path to the region from the
    queryset's model ("case__region" for showcase pages)."""
    allowed = allowed_region_ids(user)
    if allowed is None:
        return queryset
    return queryset.filter(**{f"{field}__in": allowed})
