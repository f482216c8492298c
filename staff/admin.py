"""Staff districts in the admin: on the user's own page, where accounts are managed."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from staff.models import StaffProfile
from staff.roles import ROLE_GROUPS, ROLE_LABELS

# Group names are stored in English; people read the role's translated label.
_LABEL_OF_GROUP = {group: ROLE_LABELS[role] for role, group in ROLE_GROUPS.items()}


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(role, label) for role, label in ROLE_LABELS.items()]

    def queryset(self, request, queryset):
        group = ROLE_GROUPS.get(self.value())
        if group is None:
            return queryset
        return queryset.filter(user__groups__name=group)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["regions"]
    verbose_name = _("districts")
    verbose_name_plural = _("districts")
    extra = 1
    max_num = 1


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role_display", "regions_display"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "regions__code", "regions__name_en"]
    list_filter = [RoleFilter, "regions"]
    filter_horizontal = ["regions"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions", "user__groups")

    @admin.display(description=_("roles"))
    def role_display(self, profile):
        groups = profile.user.groups.all()
        return ", ".join(str(_LABEL_OF_GROUP.get(group.name, group.name)) for group in groups)

    @admin.display(description=_("districts"))
    def regions_display(self, profile):
        return ", ".join(str(region) for region in profile.regions.all())


User = get_user_model()


def _add_districts_to_user_admin() -> None:
    """Show a user's districts on the user's page, whichever UserAdmin is registered."""
    registered = admin.site._registry.get(User)
    if registered is None:
        return
    base = type(registered)
    if StaffProfileInline in getattr(base, "inlines", []):
        return
    admin.site.unregister(User)
    inlines = [*base.inlines, StaffProfileInline]
    admin.site.register(User, type(base.__name__, (base,), {"inlines": inlines}))


_add_districts_to_user_admin()
