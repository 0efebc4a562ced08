from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("statistics/", views.statistics_page, name="statistics"),
]
