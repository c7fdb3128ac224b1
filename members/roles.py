"""The portal's roles, as Django groups. Every role's permissions are listed here and nowhere else;
`roles_sync` applies this table after each migrate.

Seeing members' caucus choices (`events.view_caucus_choice`, special category data) and survey
counts below the disclosure threshold (`surveys.view_unsuppressed_results`) belong to no role:
they are given to named people only, in the admin. So is giving and taking away the organiser
and steering-group roles on the People pages (`members.manage_roles`): whoever holds it can make
anyone an organiser, so it is not itself part of a role."""

ORGANISERS = "Organisers"
STEERING_GROUP = "Steering group"

ROLE_PERMISSIONS = {
    ORGANISERS: [
        "mail.view_outgoingemail",
        "mail.retry_outgoingemail",
        "members.view_reports",
        "members.view_user",
        "members.add_valuestory",
        "members.change_valuestory",
        "members.delete_valuestory",
        "members.manage_member_data",
        "members.change_contentpage",
        "members.add_groundrules",
        "members.change_groundrules",
        "members.publish_groundrules",
        "members.add_glossaryterm",
        "members.change_glossaryterm",
        "members.delete_glossaryterm",
        "members.add_organisation",
        "members.change_organisation",
        "members.merge_organisation",
        "resources.add_topic",
        "resources.change_topic",
        "events.add_programme",
        "events.change_programme",
        "events.add_event",
        "events.change_event",
        "events.view_registration",
        "events.manage_attendance",
        "events.publish_summary",
        "events.triage_suggestion",
        "events.add_eventkind",
        "events.change_eventkind",
        "events.delete_eventkind",
        "events.add_goal",
        "events.change_goal",
        "events.delete_goal",
        "events.add_caucus",
        "events.change_caucus",
        "resources.add_resource",
        "resources.change_resource",
        "resources.delete_resource",
        "resources.add_learningpathway",
        "resources.change_learningpathway",
        "resources.moderate_casestudy",
        "resources.moderate_conversation",
        "resources.add_initiative",
        "resources.change_initiative",
        "resources.delete_initiative",
        "surveys.add_survey",
        "surveys.change_survey",
        "surveys.view_survey",
        "background.view_background_work",
        "background.retry_background_task",
    ],
    # Read-only access to the organisers' reports.
    STEERING_GROUP: [
        "members.view_reports",
        "surveys.view_survey",
    ],
}
