from django.urls import path

from homeward.cases import document_views, views

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("take-next/", views.take_next, name="take_next"),
    path("new/", views.new_application, name="new_application"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<uuid:application_id>/", views.application_detail, name="application_detail"),
    path("<uuid:application_id>/actions/<str:event>/", views.application_action, name="application_action"),
    path("<uuid:application_id>/notes/", views.add_note, name="add_note"),
    path("<uuid:application_id>/messages/", views.add_message, name="add_message"),
    path("<uuid:application_id>/documents/", views.upload_document, name="upload_document"),
    path("<uuid:application_id>/originals/", views.record_original_seen, name="record_original_seen"),
    path("<uuid:application_id>/person/", views.link_person, name="link_person"),
    path("<uuid:application_id>/person/new/", views.new_person, name="new_person"),
    path("<uuid:application_id>/assignment/", views.assign, name="assign"),
    path("<uuid:application_id>/decision-letter/", document_views.decision_letter_view, name="decision_letter"),
    path("documents/<uuid:document_id>/", document_views.document_download, name="document_download"),
]
