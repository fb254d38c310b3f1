"""URLs of the read-side pages and the notification pages, mounted at the site root by
``execcoord.urls`` (by name, so the machinery does not import actions): My work is the home
page."""

from django.urls import path

from actions import dashboard_views, notification_views

urlpatterns = [
    path("", dashboard_views.my_work, name="home"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("calendar/", dashboard_views.calendar_settings, name="calendar_settings"),
    path("calendar/token/", dashboard_views.calendar_token, name="calendar_token"),
    path("calendar/<str:token>.ics", dashboard_views.calendar_feed, name="calendar_feed"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notification_views.notification_read_all,
        name="notification_read_all",
    ),
    path(
        "notifications/preferences/",
        notification_views.notification_preferences,
        name="notification_preferences",
    ),
]
