from django.urls import path

from . import views

app_name = "kb"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("results/", views.search_results, name="results"),
    path("suggest/", views.suggest, name="suggest"),
    path("review/", views.review_queue, name="review"),
    path("new/", views.editor, name="new"),
    path("a/<str:key>/", views.article_page, name="article"),
    path("a/<str:key>/diff/", views.article_diff, name="diff"),
    path("a/<str:key>/edit/", views.editor, name="edit"),
    path("a/<str:key>/<str:action>/", views.article_action, name="action"),
]
