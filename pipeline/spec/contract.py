"""The contract between form specs and the code that reads them: field roles, and what each form must declare.

A field's ``role:`` says what the pipeline reads its answer as (the quarter, who completed the form,
the CCR's overall grade …); report, compliance, store and issue find answers by role, never by field
id, so a QA admin may rename any field of the workspace's own specs. :func:`check_contract` runs for
every spec :class:`~pipeline.spec.Catalogue` loads, so a spec that lost a role fails at once with the
file, the role and the fix instead of leaving a report section empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SpecError, message
from .model import Field, FormSpec, Group

# The one table of field roles: role → (field types it may have, what reads it).
ROLES: dict[str, tuple[tuple[str, ...], str]] = {
    "quarter": (("quarter",), "the quarter a return counts in (every form)"),
    "author": (("short_text",), "who completed the form: replacement of resubmissions, qa status"),
    "completed_on": (("date",), "when the form was completed: the report's summaries"),
    "edi": (("long_text",), "the equality, diversity and identity evaluation: the report's EDI section"),
    "child_id": (("short_text",), "the child's ID: CCR spread, dip-sample counts, actions, qa issue --child-id"),
    "team": (("short_text", "choice"), "the team: grades by team, actions"),
    "level_of_need": (("choice",), "the level of need: CCR spread, grades by level, service-area drafts"),
    "theme": (("short_text",), "the theme of a dip sample or thematic audit: qa issue --theme, findings by theme"),
    "reviewer": (("short_text",), "who reviewed a CCR: pre-filled by qa issue, moderation"),
    "moderator": (("short_text",), "who moderated: moderation"),
    "observer": (("short_text",), "who observed: pre-filled by qa issue, observation minimums"),
    "practitioner": (("short_text",), "who was observed: line-manager observation minimums"),
    "auditor": (("short_text",), "who audited: pre-filled by qa issue, dip-sample and supervision-audit minimums"),
    "supervisor": (("short_text",), "whose supervision was audited: supervision-audit minimums"),
    "supervisee": (("short_text",), "who was supervised: supervision-audit minimums, actions"),
    "social_worker": (("short_text",), "the child's social worker: names checked against the roster"),
    "team_manager": (("short_text",), "the child's team manager: names checked against the roster"),
    "overall_grade": (("grade",), "the overall grade: quality of practice, supervision audits, thematic audits"),
    "domain_grade": (("grade",), "one CCR domain's grade (as many as the form has): grades by domain"),
    "moderated_grade": (("grade",), "the moderated grade: the grade of record, moderation"),
    "activity_date": (("date",), "when the observation took place: observation minimums"),
    "nature": (("choice",), "the nature of an observation: observations by nature"),
    "compliant": (("choice",), "whether a sampled child's case is compliant: dip-sample findings"),
    "finding": (("long_text",), "a dip-sample finding"),
    "strengths": (("long_text",), "strengths: observations, supervision and thematic audits"),
    "development": (("long_text",), "areas for development: observations, supervision audits"),
    "worries": (("long_text",), "worries: thematic audits"),
    "area": (("choice",), "the area of service: service-area drafts, the IRO / CP chair report"),
    "service": (("short_text", "choice"), "the Head of Service's service: collated summaries"),
    "source": (("choice",), "whose feedback: feedback minimums and sections"),
    "how_gathered": (("choice",), "how feedback was gathered: service-area drafts"),
    "participants": (("number",), "how many children or family members took part"),
    "respondents": (("number",), "how many staff responded"),
    "involved_in_qa": (("number",), "how many staff were involved in QA"),
    "topics": (("multi_choice",), "the topics staff raised"),
    "working_well": (("long_text",), "what is working well: summaries and feedback"),
    "worried_about": (("long_text",), "what we are worried about: summaries and feedback"),
    "needs_to_happen": (("long_text",), "what needs to happen: summaries, next quarter's drafts"),
    "response": (("long_text",), "what we will do in response to feedback"),
    "learning": (("long_text",), "learning asked for: the report's learning section"),
    "activity_undertaken": (("long_text",), "QA activity undertaken: pre-filled in service-area drafts; the Heads of Service's in the report"),
    "dlt_date": (("date",), "the date of the DLT: pre-filled in service-area drafts"),
    "supervisee_role": (("choice",), "the supervisee's role: left out of the supervision-quality questions"),
    "action": (("long_text",), "an action: the action ledger"),
    "owner": (("short_text",), "who owns an action: the action ledger"),
    "due_date": (("date",), "when an action is due: the action ledger"),
    # Added with the version-2 forms (issues 12–14). No form is required to declare these (a workspace's own
    # version-1 specs stay valid), and a version-1 return has no answer for them: readers expect None.
    "impact": (("choice",), "the impact of the work for the child (Better / About the same / Worse): impact beside grade"),
    "child_safe": (("choice",), "whether the child was judged safe at the time of the review (Yes / No)"),
    "rereview_date": (("date",), "when the child's case will be reviewed again"),
    "selection_reason": (("choice",), "why the child was selected for the CCR: the sample"),
    "bordering_good": (("choice",), "RI or Inadequate but bordering Good (Yes / No): next quarter's sample"),
    "moderation_reason": (("long_text",), "why the moderated grade differs: moderation"),
    "moderator_edi": (("choice",), "the moderator's view of how well the reviewer evaluated EDI (§1.7)"),
    "feedback_given_on": (("date",), "when written and verbal feedback was given to the practitioner (§13)"),
    "manager_feedback_on": (("date",), "when feedback was given to (or findings discussed with) the team manager"),
    "placed_on_file_on": (("date",), "when the review was placed on the child's file (§13)"),
    "supervision_on": (("date",), "when the findings were reviewed in, or taken to, supervision (§13, §6.4)"),
    "follow_up": (("choice",), "the follow-up QA planned (Dip sample / Audit / None needed) (§13)"),
    "edi_judgement": (("choice",), "the EDI judgement (Understood and met / Partly … / Not …): EDI by team"),
    "took_part_social_worker": (("choice",), "whether the social worker took part in the CCR (Yes / No)"),
    "took_part_iro": (("choice",), "whether the IRO or CP chair took part in the CCR (Yes / No / Not involved)"),
    "took_part_team_manager": (("choice",), "whether the team manager took part in the CCR (Yes / No)"),
    "views_gone_well": (("long_text",), "the child's and family's views of what has gone well"),
    "views_could_be_better": (("long_text",), "the child's and family's views of what could go better"),
    "meeting_focus": (("multi_choice",), "what an observed meeting was looked at for (§6.3)"),
    "session_date": (("date",), "the date of the supervision session dip-sampled: ASYE dip-sample minimums (3 a month)"),
}
GROUP_ROLES = {
    "children": "one row per child sampled or audited (dip samples, thematic audits)",
    "actions": "one row per action (CCRs, supervision audits and dip samples, HoS and service summaries)",
}
# Roles read in a repeat group's rows rather than on the form itself.
ROW_ROLES = ("child_id", "team", "level_of_need", "compliant", "finding", "overall_grade", "strengths", "worries",
             "action", "owner", "due_date", "moderated_grade", "moderation_reason")
# Roles that may be given to several fields of one form.
MANY = ("domain_grade",)

# Fields pre-filled with the assignee by qa issue.
ASSIGNEE_ROLES = ("author", "auditor", "observer", "reviewer")
# Fields naming members of staff (never children): names not on the roster are listed for the admin.
STAFF_NAME_ROLES = ("author", "observer", "practitioner", "auditor", "supervisor", "supervisee", "reviewer",
                    "social_worker", "team_manager")
# Answers that tell two returns of one form, author and quarter apart (the store's identity, in this order).
IDENTITY_ROLES = ("child_id", "practitioner", "supervisee", "source", "area", "service")
# Answers that also tell two returns apart, added to the identity only when given (so the identities of forms
# without them are unchanged): one ASYE's supervision is dip-sampled several times a quarter, once per session.
DISTINCT_ROLES = ("session_date",)


@dataclass(frozen=True)
class Need:
    """One role a consumer needs a form to declare (in the repeat group with role *group*, if given)."""

    role: str
    consumer: str
    group: str | None = None


def _needs(consumer: str, *roles: str, group: str | None = None) -> tuple[Need, ...]:
    return tuple(Need(role, consumer, group) for role in roles)


REPORT, STATUS, LEDGER = "the report", "qa status", "the action ledger"
EVERY_FORM = _needs("every form", "quarter", "author", "completed_on")
# What each shipped form must declare, and which consumer needs it. Forms not listed need EVERY_FORM only.
CONTRACT: dict[str, tuple[Need, ...]] = {
    "ccr": (*_needs(STATUS, "child_id", "level_of_need", "team", "reviewer", "social_worker", "team_manager"),
            *_needs(REPORT, "overall_grade", "domain_grade", "moderated_grade", "moderator"),
            *_needs(LEDGER, "action", "owner", "due_date", group="actions")),
    "observation": (*_needs(STATUS, "observer", "practitioner", "activity_date"),
                    *_needs(REPORT, "child_id", "level_of_need", "nature", "strengths", "development")),
    "dip_sample": (*_needs(STATUS, "auditor", "theme"),
                   *_needs(STATUS, "child_id", "team", "level_of_need", group="children"),
                   *_needs(REPORT, "compliant", "finding", group="children"),
                   *_needs(LEDGER, "action", "owner", "due_date", group="children")),
    "thematic_audit": (*_needs(STATUS, "auditor", "theme"),
                       *_needs(STATUS, "child_id", group="children"),
                       *_needs(REPORT, "team", "level_of_need", "overall_grade", "strengths", "worries", group="children"),
                       *_needs(LEDGER, "action", "owner", "due_date", group="children")),
    "supervision_audit": (*_needs(STATUS, "auditor", "supervisor", "supervisee"),
                          *_needs(REPORT, "supervisee_role", "team", "overall_grade", "strengths", "development"),
                          *_needs(LEDGER, "action", "owner", "due_date", group="actions")),
    "supervision_dip_sample": (*_needs(STATUS, "auditor", "supervisor", "supervisee"),
                               *_needs(REPORT, "team", "overall_grade", "strengths", "development"),
                               *_needs(LEDGER, "action", "owner", "due_date", group="actions")),
    "hos_summary": _needs(REPORT, "service", "working_well", "worried_about", "needs_to_happen", "learning"),
    "service_summary": (*_needs(STATUS, "area"),
                        *_needs(REPORT, "activity_undertaken", "working_well", "worried_about", "needs_to_happen")),
    "child_family_feedback": (*_needs(STATUS, "source"),
                              *_needs(REPORT, "child_id", "how_gathered", "participants", "working_well", "worried_about",
                                      "response")),
    "staff_feedback": (*_needs(STATUS, "source"),
                       *_needs(REPORT, "respondents", "involved_in_qa", "topics", "working_well", "worried_about",
                               "needs_to_happen", "learning")),
}


def check_roles(spec: FormSpec) -> None:
    """Each role is known, fits its field's type and scope, and is given once (SpecError naming the field)."""
    _check_scope(spec, list(spec.fields()), None)
    for group in spec.groups():
        if group.role is not None and group.role not in GROUP_ROLES:
            raise SpecError(message("role_unknown_group", file=spec.source, group=group.id, role=group.role,
                                             known=", ".join(GROUP_ROLES)))
        _check_scope(spec, list(group.fields), group)
    roles = [group.role for group in spec.groups() if group.role]
    for role in roles:
        if roles.count(role) > 1:
            raise SpecError(message("role_twice", file=spec.source, role=role, where="form"))


def _check_scope(spec: FormSpec, fields: list[Field], group: Group | None) -> None:
    where = f"group '{group.id}'" if group else "form"
    seen: dict[str, Field] = {}
    for item in fields:
        if item.role is None:
            continue
        if item.role not in ROLES:
            raise SpecError(message("role_unknown", file=spec.source, field=item.id, role=item.role,
                                             known=", ".join(ROLES)))
        types = ROLES[item.role][0]
        if item.type not in types:
            raise SpecError(message("role_type", file=spec.source, field=item.id, role=item.role,
                                             types=" or ".join(types), type=item.type))
        if item.role in seen and item.role not in MANY:
            raise SpecError(message("role_twice", file=spec.source, role=item.role,
                                             where=f"{where} ('{seen[item.role].id}' and '{item.id}')"))
        seen[item.role] = item


def check_contract(spec: FormSpec) -> None:
    """*spec* declares every role its consumers need; SpecError with the file, the role and the fix."""
    check_roles(spec)
    needs = EVERY_FORM + (_needs(REPORT, "edi") if spec.about in ("child", "practice") else ())
    for need in needs + CONTRACT.get(spec.id, ()):
        types = " or ".join(ROLES[need.role][0])
        if need.group is None:
            if spec.role_field(need.role) is None:
                raise SpecError(message("role_missing", file=spec.source, consumer=need.consumer,
                                                 role=need.role, types=types))
            continue
        group = spec.role_group(need.group)
        if group is None:
            raise SpecError(message("role_missing_group", file=spec.source, consumer=need.consumer,
                                             group=need.group))
        if group.role_field(need.role) is None:
            raise SpecError(message("role_missing_in_group", file=spec.source, consumer=need.consumer,
                                             role=need.role, types=types, group=group.id))
