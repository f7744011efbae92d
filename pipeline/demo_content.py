"""Synthetic but realistic wording for the demo quarter: what managers actually write on QA forms."""

from __future__ import annotations

STRENGTHS = [
    "Direct work with the child was creative and age-appropriate; their own words are quoted in the plan.",
    "The social worker knows the family well and has built a trusting relationship with mum.",
    "The safety plan is clear, written in the family's words, and the network helped write it.",
    "Good use of the three houses tool to capture the child's worries, good things and dreams.",
    "Timely strategy discussion with police and health; decisions and reasons are recorded.",
    "The child was seen alone at every visit and visits were purposeful and linked to the plan.",
    "Persistent, respectful work with dad, who is now attending core groups.",
    "The chronology is up to date and the case summary tells the child's story clearly.",
    "The IRO's midway review challenged drift and the plan was tightened as a result.",
    "Pathway plan reflects the young person's own goals for college and independent living.",
]
WORRIES = [
    "Case recording is behind: the last two visits are not written up.",
    "The plan has no contingency if the safety network breaks down.",
    "Actions are carried from one review to the next without progress (drift).",
    "Father has not been engaged in the assessment or the plan.",
    "Management oversight records decisions but not the reasons for them.",
    "The child's views are summarised by adults rather than recorded in their own words.",
    "Danger statement describes the incident, not the harm we are worried about in future.",
    "Three changes of social worker this year; the child has had to retell their story.",
    "Health assessment overdue by two months with no escalation recorded.",
    "Supervision notes do not show reflection on the impact for the child.",
]
ACTIONS = [
    "Update the chronology and case summary",
    "Convene a network meeting to agree the contingency plan",
    "Complete direct work with the child about their views on family time",
    "Record management oversight with the reasons for decisions",
    "Invite father to the next core group and record his views",
    "Escalate the overdue health assessment to the designated nurse",
    "Rewrite the danger statement and safety goal with the family",
    "Book reflective supervision focused on this child's plan",
    "Refer to CAMHS for an assessment of the child's anxiety",
    "Arrange a life-story session with the child and carers",
]
EDI = [
    "The child's Polish heritage and language are understood; an interpreter is booked for mum's meetings.",
    "Little exploration of the young person's identity as a young carer for his mother.",
    "Religious and cultural needs were considered when matching the placement.",
    "No evidence that the child's autism was considered in how visits were arranged.",
    "The worker explored the young person's sexuality sensitively and linked them to a LGBTQ+ youth group.",
    "Mum's learning needs were recognised; written agreements were provided in easy-read format.",
    "The family's experience of racism in the community is recorded and informed the safety plan.",
    "Dual heritage identity not yet explored with the child; planned as life-story work.",
]
PEN_PICTURES = [
    "{age}-year-old living with mum and two younger siblings; concerns about neglect and mum's mental health.",
    "{age}-year-old in foster care since last year; family time with dad fortnightly; settled at school.",
    "{age}-year-old subject to a child protection plan under emotional abuse after domestic abuse at home.",
    "{age}-year-old care leaver in supported lodgings, starting college; wants more contact with her brother.",
    "{age}-year-old open to early help after school raised concerns about attendance and hygiene.",
]
SUMMARY_WELL = [
    "Visits are more purposeful and children's words are appearing in plans",
    "Management oversight on new referrals is timely and explains decisions",
    "Strong partnership with schools through the designated safeguarding leads network",
    "Staff describe supervision as reflective and supportive",
    "Fewer children are waiting for an allocated social worker",
    "Safety plans increasingly written with, not for, families",
]
SUMMARY_WORRIED = [
    "Contingency planning is weak when safety networks are small",
    "Recording of visits is delayed in the busiest teams",
    "Fathers and male carers are not consistently engaged",
    "Drift in plans for children in need after step-down from child protection",
    "Health assessments for children in care are frequently late",
]
SUMMARY_ACTIONS = [
    "Practice workshop on safety networks and contingency plans in February",
    "Team managers to dip sample recording timeliness monthly",
    "Fathers' engagement to be a theme for the next thematic audit",
    "Escalation route agreed with the designated nurse for late health assessments",
    "PSW to share good practice examples of children's voice at the learning event",
]
FEEDBACK_WELL = [
    "My social worker listens to me and does what she says she will.",
    "Mum said the family group conference helped everyone understand the plan.",
    "The council members liked meeting the Director and being asked about the pledge.",
    "Care leavers valued the new drop-in and help with council tax.",
]
FEEDBACK_BETTER = [
    "I don't like having to tell my story again to a new worker.",
    "Meetings are at times when I am at school.",
    "Young people want to know sooner who their personal adviser will be.",
    "Letters are hard to understand; please use plain words.",
]
FEEDBACK_RESPONSE = [
    "Introductions for new workers will include a handover visit with the previous worker.",
    "Reviews for school-age children will be held after school where possible.",
    "Personal advisers to be allocated at 16 and a half.",
    "Letters templates rewritten with the children in care council.",
]

# --- the version-2 questions: the theme each sentence above is about, and the new free-text answers ---------
THEME_OF = {
    STRENGTHS[0]: "Voice of the child",
    STRENGTHS[1]: "Parents and carers' engagement",
    STRENGTHS[2]: "Contingency planning and safety networks",
    STRENGTHS[3]: "Voice of the child",
    STRENGTHS[4]: "Multi-agency working",
    STRENGTHS[5]: "Quality of visits",
    STRENGTHS[6]: "Fathers and wider family",
    STRENGTHS[7]: "Case recording",
    STRENGTHS[8]: "Management oversight and supervision",
    STRENGTHS[9]: "Care leavers and transitions",
    WORRIES[0]: "Case recording",
    WORRIES[1]: "Contingency planning and safety networks",
    WORRIES[2]: "Drift and delay",
    WORRIES[3]: "Fathers and wider family",
    WORRIES[4]: "Management oversight and supervision",
    WORRIES[5]: "Voice of the child",
    WORRIES[6]: "Danger / worry statements and safety goals",
    WORRIES[7]: "Workforce and workload",
    WORRIES[8]: "Health",
    WORRIES[9]: "Management oversight and supervision",
    SUMMARY_WELL[0]: "Voice of the child",
    SUMMARY_WELL[1]: "Management oversight and supervision",
    SUMMARY_WELL[2]: "Education",
    SUMMARY_WELL[3]: "Management oversight and supervision",
    SUMMARY_WELL[4]: "Workforce and workload",
    SUMMARY_WELL[5]: "Contingency planning and safety networks",
    SUMMARY_WORRIED[0]: "Contingency planning and safety networks",
    SUMMARY_WORRIED[1]: "Case recording",
    SUMMARY_WORRIED[2]: "Fathers and wider family",
    SUMMARY_WORRIED[3]: "Drift and delay",
    SUMMARY_WORRIED[4]: "Health",
    FEEDBACK_WELL[0]: "Voice of the child",
    FEEDBACK_WELL[1]: "Parents and carers' engagement",
    FEEDBACK_WELL[2]: "Voice of the child",
    FEEDBACK_WELL[3]: "Care leavers and transitions",
    FEEDBACK_BETTER[0]: "Workforce and workload",
    FEEDBACK_BETTER[1]: "Voice of the child",
    FEEDBACK_BETTER[2]: "Care leavers and transitions",
    FEEDBACK_BETTER[3]: "Parents and carers' engagement",
}
# How well each EDI sentence above says identity was understood and met.
EDI_JUDGEMENT = dict(zip(EDI, ("Understood and met", "Not understood or met", "Understood and met", "Not understood or met",
                               "Understood and met", "Understood and met", "Understood and met", "Partly understood or met")))
CHILD_VIEWS_WELL = [
    "She said her social worker 'actually listens' and came to her school play.",
    "Mum said having the same worker for a year meant she did not have to start again.",
    "He likes that family time with his brother now happens every week.",
    "Dad said he finally felt included when he was invited to the core group.",
    "The young person said her PA helped her get a place at college.",
]
CHILD_VIEWS_BETTER = [
    "He wants to know what is written about him and to read his plan.",
    "Mum said meetings are full of words she does not understand.",
    "She would like to be asked before her foster carers are told things.",
    "Grandma wants to be told when plans change, not to hear it from the children.",
    "He does not like being taken out of lessons for meetings.",
]
MODERATION_REASONS = [
    "The evaluation describes tasks completed rather than the impact for the child; the evidence supports a lower grade.",
    "Drift since the last review is not reflected in the overall grade.",
    "The direct work and the child's improved school attendance show more impact than the grade gives credit for.",
    "The plan has no contingency, which the domain grades note but the overall grade does not reflect.",
]

# The Principal Social Worker's commentary on the current quarter (admin/psw-commentary-<quarter>.docx).
PSW_COMMENTARY = [
    "The trend section matters more than this quarter's figures: with about twenty reviews a quarter, a change from one "
    "quarter to the next has to be large before it is more than chance, so I read the year, not the quarter.",
    "Moderation continues to lower more grades than it raises. I will run a grading workshop with reviewers in February "
    "so that what we call good means the same across teams.",
    "The children whose practice was inadequate have each been discussed with their Head of Service; none was found to be "
    "unsafe at the time of the review. I will bring their re-reviews to DLT next quarter.",
]
