from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from sinergi import health
from sinergi.api.urls import api_urls
from sinergi.home.views import home
from sinergi.referrals.views import verify_letter

admin.site.site_header = _("Sinergi administration")
admin.site.site_title = _("Sinergi administration")
admin.site.index_title = _("Configuration")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # The language switch must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("akun/", include("sinergi.accounts.urls")),
    path("akun/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls),
    path("wilayah/", include("sinergi.regions.urls")),
    path("audit/", include("sinergi.audit.urls")),
    path("kasus/", include("sinergi.cases.urls")),
    path("rujukan/", include("sinergi.referrals.urls")),
    path("layanan/", include("sinergi.directory.urls")),
    path("notifikasi/", include("sinergi.notifications.urls")),
    path("verifikasi/<str:token>/", verify_letter, name="verify_letter"),
    path("sop/", include("sinergi.sop.urls")),
    path("impor/", include("sinergi.imports.urls")),
    path("pencocokan/", include("sinergi.matching.urls")),
    path("asistensi/", include("sinergi.assistance.urls")),
    path("berbagi/", include("sinergi.sharing.urls")),
    path("asesmen-kebutuhan/", include("sinergi.assessments.urls")),
    path("penyaluran/", include("sinergi.benefits.urls")),
    path("program/", include("sinergi.programmes.urls")),
    path("penyuluhan/", include("sinergi.outreach.urls")),
    path("pernyataan/", include("sinergi.statements.urls")),
    path("laporan/", include("sinergi.reports.urls")),
    path("data-pribadi/", include("sinergi.privacy.urls")),
    path("insiden-data/", include("sinergi.breaches.urls")),
    path("", home, name="home"),
    path("", include("sinergi.registry.urls")),
]
