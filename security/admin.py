"""Failed sign-ins in the admin: read-only, except that deleting rows lifts a lockout."""

from django.contrib import admin

from security.models import LoginFailure


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["attempted_at", "username", "ip_address"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempted_at"
    readonly_fields = ["username", "ip_address", "attempted_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
