"""Sample resource hub content for `make run`: recordings and slides from past sessions, toolkits
and reading, two learning pathways, a few case studies and a directory of local initiatives.
Used by the load_demo_content command only, after the demo programme has been loaded."""

import datetime
import re

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events.models import Event
from members.models import Organisation

from .models import (
    Audience,
    CaseStudy,
    Initiative,
    LearningPathway,
    PathwayStep,
    Resource,
    Topic,
)
from .services import (
    case_study_moderate,
    case_study_save,
    case_study_submit,
    initiative_save,
    pathway_save,
    resource_save,
)

RIVERSIDE = "Riverside NHS Foundation Trust"
COUNCIL = "Borough Council Public Health"
VOICES = "Community Voices Network"
RESEARCH = "South London Health Research Unit"
ORGANISERS = "CoP organising team"
COLLABORATIVE = "Equity in Health Collaborative"
MIGRANT_FORUM = "Northbank Refugee and Migrant Forum"
EVALUATORS = "Borough Patient Voice"


def _prose(text: str) -> str:
    """Join a hard-wrapped block into paragraphs, keeping the blank lines between them."""
    paragraphs = (" ".join(block.split()) for block in re.split(r"\n\s*\n", text.strip()))
    return "\n\n".join(p for p in paragraphs if p)


# Transcripts ----------------------------------------------------------------------------------
# Each has its own opening and talk; a few housekeeping and closing paragraphs are shared.

_HOUSEKEEPING_ONLINE = """
Facilitator: A few bits of housekeeping before we begin. We are recording today so that colleagues
who could not get away from clinics or meetings can watch it later on the resource hub. The
recording shows the speaker and the slides only, not the gallery of faces. If you would prefer not
to be heard, type your question in the chat and I will read it out for you. Our ground rules hold
as always: speak from your own experience, keep what others share here, and own the effect of
what you say as well as what you meant by it. Cameras on or off, whatever suits you today.
"""

_ACTION_PAUSE = """
Facilitator: Before we open up for questions, I am going to ask for two quiet minutes. Think of one
small thing you could do differently in the next month because of what you have heard today. Not a
strategy, not a business case, just one thing within your own reach. Write it down somewhere you
will see it again, and if you are willing, pop it in the chat. We will gather them up anonymously
and share them with the summary, because it helps to see what other people are trying.
"""

_CLOSE_ONLINE = """
Facilitator: We are at time, so let me bring us to a close. A big thank you to our speaker, and to
everyone who asked a question or shared something of themselves this afternoon. The recording, the
slides and a short summary with the main points will be on the resource hub within the week. You
will get a three-question feedback form by email; it takes two minutes and it really does shape
what we plan next. If today stirred anything up, please be gentle with yourselves, and remember
that the caucus spaces are there if you would like to talk it through with people who share your
experience. Take care, and see you next time.
"""

_TRANSCRIPT_STRESS = "\n\n".join(
    _prose(part)
    for part in (
        """
Facilitator: Good afternoon, everyone, and welcome. It is lovely to see so many names in the list,
including a good number of you joining for the first time. Today's subject is one that many of us
carry around with us rather than study from a distance: the stress and harm that racism causes,
both to the people who use our services and to our own colleagues. Our speaker is a clinical
psychologist at Riverside NHS Foundation Trust who leads the staff wellbeing service there. She
will talk for about twenty-five minutes and then we will have plenty of time for discussion.
""",
        _HOUSEKEEPING_ONLINE,
        """
Speaker: Thank you for having me. I want to start with a simple point, which is that racism is not
only something that happens in single, dramatic incidents. For a lot of people it is a steady hum
in the background: being taken for the healthcare assistant when you are the ward manager, having
your name mangled for years by people who have never asked how to say it, being watched a little
more closely when something goes missing. Each moment might look minor to someone standing next to
you. Added up over a career, and over a life, they become a weight that body and mind have to bear.
""",
        """
Speaker: So what does that weight do? The evidence here has grown a great deal over the last
fifteen years or so. We see it in raised blood pressure, in broken sleep, in higher rates of
anxiety and low mood, and in something people describe as never quite being able to switch off.
Psychologists call it hypervigilance, and I find it a helpful word, because it names what many
global majority staff tell me they do without thinking: reading a room for how they will be
received, rehearsing an answer in case they are challenged, choosing every word twice. That is
work. It is work that most of their white colleagues simply do not have to do.
""",
        """
Speaker: I want to be careful with the word trauma, because it gets used loosely. Not everyone who
experiences racism is traumatised by it, and we should not put labels on people. But for some,
particularly where racism has been repeated, or has come with threat or humiliation, what we see
looks very much like other trauma responses: an incident replaying again and again, avoiding a
particular corridor or colleague, a sense that nowhere is quite safe. If a member of staff has been
through that, being told to just raise it with their line manager can feel like being asked to
climb a wall.
""",
        """
Speaker: What can teams actually do? I will offer four things. First, believe people. The response
that does the most damage, in my experience, is rarely open hostility; it is disbelief, or a rush
to find an innocent explanation. Second, keep support separate from investigation. Someone can be
offered time out, a debrief and an occupational health referral before anyone has decided what
happened. Third, look for patterns. If staff from one group keep leaving the same ward, that tells
you something. Fourth, look after the people who hold everyone else. Network chairs and global
majority managers often carry a large amount of unseen emotional work, and that belongs in their
job plans, not just in a thank-you email.
""",
        """
Speaker: One last thing, about patients. Everything I have said about staff applies to the people
we care for too. Someone who has been let down by services before may arrive wary, may come across
as difficult, may not come back for their follow-up. If we read that as non-compliance rather than
as a sensible response to past harm, we make it worse. A little curiosity about why someone is
guarded goes a long way.
""",
        _ACTION_PAUSE,
        """
Member: Thank you, that was really powerful. I manage a small community team and I am honestly
worried about getting it wrong. If someone comes to me about an incident, what should I say in that
first conversation?

Speaker: Less than you might think. Thank them for telling you, say that you believe them, and ask
what would help right now. You do not need to have the policy answer in that moment. What people
remember is whether they were taken seriously. Then come back to them within a few days, even if
all you can say is where things have got to.

Facilitator: There is a question in the chat: is there anything for staff who are tired of always
being the ones who raise it?

Speaker: Yes, and it is such an important question. Part of the answer is spreading the load.
Colleagues who are not directly affected should be the ones who speak up in the meeting, complete
the incident form, take the pattern to the senior team. The caucus spaces in this community are
another part of it: somewhere to talk without having to explain everything from the beginning.
""",
        _CLOSE_ONLINE,
    )
)

_TRANSCRIPT_BIAS = "\n\n".join(
    _prose(part)
    for part in (
        """
Facilitator: Right, shall we make a start? Welcome to the Town Hall, and thank you for making the
journey; I know that finding cover for a whole morning is no small thing. For anyone watching this
later, this was our in-person session on bias in clinical decisions. We have two speakers: a GP
partner from a practice in the north of the borough, and a consultant midwife from Riverside. The
tables are set out so you can talk in small groups after each half, and there is tea and coffee at
the back. Only the speakers are being recorded; the table discussions are not.
""",
        """
GP: Thank you. I want to begin with a piece of kit that most of us use every day without a second
thought: the pulse oximeter. During the pandemic it became much more widely known that these
devices can overestimate oxygen levels in people with darker skin. That means a patient can look
safer on the screen than they are. Nobody designed that to be unfair. It happened because the
devices were tested on people who mostly looked one way, and then everyone assumed the numbers
applied to everybody. I think that is a good picture of how bias works in medicine. It is often
built into the tools and the textbooks long before any individual clinician makes a choice.
""",
        """
GP: Another example: for years kidney function estimates included an adjustment for Black patients,
which had the effect of making their kidneys look healthier than they were. National guidance has
since dropped it, but there will be patients in every practice in this borough whose diagnosis was
delayed because of it. Or think about skin. Most of the pictures we learned from showed rashes,
jaundice and pressure damage on white skin. If you have never been shown what cyanosis looks like
on a Black patient, you are less likely to spot it. None of this is about bad people. It is about
what we were taught to see.
""",
        """
GP: And then there is the part that does sit with us as individuals: the quick judgements we make
when we are tired, behind, and ten minutes into a seven-minute appointment. Whose pain do we take at
face value? Who do we assume will not take their medication? Who gets described in the notes as
anxious or demanding? When we audited our own prescribing of pain relief after a minor injury, the
differences between groups were not huge, but they were there, and they were not explained by
anything clinical. Looking at your own data is uncomfortable, and it is also the most useful thing
I can recommend.
""",
        """
Midwife: Thank you. I am going to bring us into maternity, where the national figures are stark.
Black women in this country are several times more likely to die in pregnancy or shortly after
than white women, and women from Asian backgrounds also face a higher risk. When we look closely at
individual cases, the same threads come up again and again: symptoms that were not listened to,
pain that was put down to anxiety, an interpreter who was never booked, a partner or relative
asked to translate something deeply personal.
""",
        """
Midwife: There is also a stereotype I hear more often than I would like, the idea that Black women
are strong and can cope with more. It sounds almost like a compliment. In practice it means a woman
saying that something is wrong and being told to wait and see. So on our unit we have tried to make
it easier to escalate: any woman, or anyone with her, can ask for a senior review, and staff are
expected to record why if they decide not to act on a concern. We have also pushed for continuity
of carer for women at higher risk, because a midwife who knows you is far more likely to notice
when something has changed.
""",
        """
Facilitator: Thank you both. We now have twenty minutes at the tables. On each table there is a
card with one question: think of a recent decision in your own work, and ask what might have been
different if the patient had been from another background. After that we will hear one thought
from each table.

Member, reporting back: Our table kept coming back to time pressure. Several of us said the
shortcuts happen when we are rushed, so anything that slows down the decision at the right moment,
a prompt, a checklist, a second opinion, might help more than training on its own.

Member, reporting back: We talked about interpreters. Everyone agreed they should be booked, but in
practice family members still get used, especially in primary care. One of us is going to raise it
at their practice meeting next week.
""",
        """
Facilitator: Before we finish, please take the postcard on your table and write on it one thing you
will try in your own practice in the next month. Keep it somewhere you will see it. If you are
happy to, write the same thing on a sticky note and put it on the wall by the door on your way out;
we will type them up, without names, and send them round with the session summary.
""",
        """
Facilitator: That brings us to lunchtime. Thank you so much to our speakers, and to all of you for
such an honest morning. The slides, including the case examples, will be on the resource hub by
the end of the week along with a short write-up. You will also get a brief feedback form by email.
If anything today has been hard to hear, please do take a moment for yourself before heading back
to work, and the caucus spaces are open to you if you want to talk it through.
""",
    )
)

_TRANSCRIPT_ORGANISATION = "\n\n".join(
    _prose(part)
    for part in (
        """
Facilitator: Hello, and welcome to our spring session. Over the last few months a number of you have
asked what it actually looks like when an organisation decides to become anti-racist, beyond the
statement on the website. So we have invited the chief executive of the Equity in Health
Collaborative, a small organisation that has been on that road for about three years, to tell us
honestly what they did, what went well and what they would not repeat.
""",
        _HOUSEKEEPING_ONLINE,
        """
Speaker: Thanks so much. Let me start with where we were, because I think it matters. Three years
ago we would have told you we were a fair and inclusive place to work. We had an equality policy,
we ran unconscious bias training, and we had a diverse frontline team. What we did not have was a
single global majority person in a senior role, and when we eventually looked at our pay data by
ethnicity, the gap was wider than our gender pay gap had ever been. That was the moment we stopped
describing ourselves as inclusive and started asking what we would need to change.
""",
        """
Speaker: The first thing we did, and I would do it again, was to say it out loud. We shared the
pay and progression figures with all staff and with our board, and we said plainly that this was
the result of how we worked, not bad luck. Some people found that very uncomfortable. Some were
relieved, because they had been saying it for years and nobody had listened. Naming it gave us
permission to act on it.
""",
        """
Speaker: Then we looked at the points where people get through the door or get held back:
recruitment, appraisal, acting-up opportunities and disciplinary processes. We changed our
shortlisting so that names and schools were hidden. We stopped using cultural fit as a reason to
turn people down, because when we looked closely it usually meant someone who reminded us of
ourselves. We made sure every interview panel included people from different backgrounds, and we
paid the staff who sat on those panels for their time rather than assuming they would do it as a
favour. Acting-up roles now have to be advertised internally, not handed to whoever the manager
thinks of first.
""",
        """
Speaker: Now the part I am less proud of. In our first year we leaned very heavily on our global
majority staff to lead the work. They ran the listening sessions, wrote the action plan, and sat
on every working group. Two of them told me, quite rightly, that they were exhausted and that it
felt like being asked to fix a problem they had not created. We rebalanced. Our senior team, which
at that point was entirely white, took ownership of the plan and reported on it to the board every
quarter. We also brought in an external reviewer so that staff did not have to be the ones telling
us what was wrong.
""",
        """
Speaker: Has it worked? Partly. Our pay gap has narrowed, and two of our five senior managers are
now from global majority backgrounds. Staff survey scores on fairness have gone up for every group.
But we still have people leaving and telling us at exit interview that they did not feel they
belonged, so we are not done, and I do not think we ever will be. What I would say to anyone
starting out is: measure something, publish it, and make one named senior person answerable for it.
""",
        """
Member: How did you get the board to take it seriously rather than treat it as an HR issue?

Speaker: We put it on the risk register, which sounds dry but it changed the conversation. Once it
sat alongside finance and safety, it came up at every meeting and board members started asking
questions without being prompted. We also asked two board members to spend time with staff
networks, listening rather than presenting.

Member: What would you do differently if you started again tomorrow?

Speaker: Start with the data, not the training. Training has its place, but we spent a year
building awareness before we looked at our own numbers, and the numbers moved people far more.
""",
        _CLOSE_ONLINE,
    )
)

_TRANSCRIPT_KIDNEY = "\n\n".join(
    _prose(part)
    for part in (
        """
Facilitator: Good afternoon and welcome. Today we are looking at a health inequality that often
stays hidden until it is very late: chronic kidney disease in Black communities. Our speaker is a
senior research fellow at the South London Health Research Unit, and she has spent the last two
years working with local practices and community groups to understand why so many people are
diagnosed at a late stage. This is quite a clinical topic, but please do not worry if that is not
your background; there is something here for everyone who plans, commissions or delivers services.
""",
        _HOUSEKEEPING_ONLINE,
        """
Speaker: Thank you. Kidney disease is quiet. In its early stages most people feel completely well,
which means the only way to find it is to test for it, usually with a simple blood test and a urine
test. People with diabetes or high blood pressure should have those tests every year. Both of those
conditions are more common in people of Black African and Black Caribbean heritage, so you would
expect testing, and early diagnosis, to be higher in those groups. What we found locally was the
opposite: people from Black communities were more likely to be diagnosed late, sometimes only when
they already needed dialysis.
""",
        """
Speaker: Why? We looked at three places where things can go wrong. The first is the test itself.
Until recently, the formula used to estimate kidney function added an adjustment for Black
patients, which made their results look better than they were. Some people sat just above the line
for a diagnosis because of that adjustment alone. National guidance now says not to use it, but
plenty of records still carry results calculated the old way, and nobody goes back to check them.
""",
        """
Speaker: The second is the coding. When we searched practice records, we found people whose test
results clearly showed reduced kidney function but who had never been given a diagnosis code. That
matters, because the code is what triggers the annual review, the medication check and the referral.
Without it, a person can slip through for years. In the practices we worked with, this was more
common for Black patients, and we do not think that was deliberate. It was the result of busy
systems, old formulas and nobody looking across the whole list.
""",
        """
Speaker: The third is trust and access. In our focus groups, people told us about not knowing why
they were having blood tests, not getting their results explained, and feeling that their concerns
were brushed aside. Several had family members who had gone on to dialysis, and they were
frightened of the same thing but did not know what to ask for. Some said they would rather hear
about kidney health from their church, their barber or a community group than from a letter.
""",
        """
Speaker: So what did we do? With four practices we re-ran the searches, recalculated results
without the old adjustment and invited people for a review. With Community Voices Network we held
health information sessions in community venues, with a nurse on hand to explain results. And we
worked with the practices to add a prompt to the annual diabetes review so that the kidney check
could not be missed. It is early days, but the number of people with a correct diagnosis has gone
up noticeably, and more of them are now on medication that slows the disease down.
""",
        _ACTION_PAUSE,
        """
Member: I work in commissioning. Is there something we could ask of every practice, rather than
relying on a research project?

Speaker: Yes. Ask for the searches to be run once a year with results broken down by ethnicity,
and ask how many people have results that suggest kidney disease but no code. It is a short report
to produce and it tells you a lot.

Member: Did the community sessions reach people who would not normally come to the surgery?

Speaker: Many of them, yes. About a third of the people who came had not seen their GP in over a
year. The key was that the sessions were led by people they already knew.
""",
        _CLOSE_ONLINE,
    )
)

_TRANSCRIPT_HOUSING = "\n\n".join(
    _prose(part)
    for part in (
        """
Facilitator: Welcome, everyone, to our summer webinar. Many of you work with people whose health is
being shaped, day in and day out, by where they live: damp flats, overcrowding, months in temporary
accommodation. So we have asked the housing strategy lead at the Council to talk us through the
borough's anti-racist housing strategy, what it is trying to change, and how health and care staff
can connect with it.
""",
        _HOUSEKEEPING_ONLINE,
        """
Speaker: Thank you. I will start with a confession: housing has not always thought of itself as a
health service, even though we probably have more effect on people's health than most clinics do.
When we began the strategy we looked at who lives in our worst homes, and the picture was very
clear. Global majority households are much more likely to be in overcrowded homes, more likely to
be in temporary accommodation, and wait longer on average for repairs to be done. None of our
policies said anything about race, and yet the outcomes fell along racial lines.
""",
        """
Speaker: The strategy has three parts. The first is data. We now look at allocations, waiting
times, repairs and complaints by ethnicity every quarter, and those figures go to the housing
committee. We had collected ethnicity for years but nobody had ever put it next to the outcomes.
The second part is voice. We have set up a residents' panel, paid for their time, with members
from the communities most affected, and they review changes to policy before they are agreed. The
third part is partnership, and that is where you come in.
""",
        """
Speaker: Damp and mould are a real health risk, especially for young children and people with
breathing problems. Health visitors, GPs, district nurses and community workers see these homes
every week, often before we do. We have set up a single referral route so that any health or care
professional can report a home that is affecting someone's health, and that referral is treated as
a priority. In the first six months we had just over two hundred referrals, and we have cut the
average time to inspection from several weeks to under ten days.
""",
        """
Speaker: On temporary accommodation, we know families are sometimes placed far from their GP, their
children's school and their support network, and that this hits some communities harder than
others. We are working with the Trust so that families moving into temporary accommodation are
helped to register with a local practice straight away, and so that the health visiting team is
told when a family with a young baby moves. It sounds simple, but before this nobody was
responsible for making that call.
""",
        """
Speaker: I want to be honest that this is hard. Demand far outstrips the homes we have, and some of
what drives overcrowding is national. But a lot of what decides how people are treated is within
our control: how quickly we answer, whether we believe a tenant who says the mould is making their
child ill, whether we treat a complaint as a nuisance or as information.
""",
        _ACTION_PAUSE,
        """
Member: I am a health visitor. I have families who have reported mould many times and been told to
open a window. Will this route actually change that?

Speaker: It should, and if it does not, I want to hear about it. Referrals from health
professionals now go to a named team rather than the general repairs line, and they cannot be
closed with advice alone; someone has to visit.

Facilitator: A question in the chat: are you recording outcomes for people with no recourse to
public funds?

Speaker: Not well enough yet. That is one of the gaps the residents' panel raised, and we are
working with the migrant forum on it.
""",
        _CLOSE_ONLINE,
    )
)

_TRANSCRIPT_MIGRANT = "\n\n".join(
    _prose(part)
    for part in (
        """
Facilitator: Hello and welcome. Today's session is about people who find the door to health care
harder to open than most of us: refugees, people seeking asylum and people with insecure
immigration status. Our speaker coordinates advocacy at the Northbank Refugee and Migrant Forum,
and spends much of her week helping people get the care they are entitled to. I have asked her to
be practical, so expect some things you could use tomorrow.
""",
        _HOUSEKEEPING_ONLINE,
        """
Speaker: Thanks for having me. I want to start with the thing I say in every training session,
because it still surprises people: anyone in England can register with a GP practice. You do not
need proof of address, you do not need photo ID, and you do not need to show your immigration
status. Practices can ask for documents, but they cannot refuse to register someone because they do
not have them. Yet every week we support people who have been turned away at the front desk. Often
the receptionist believed they were following the rules.
""",
        """
Speaker: Why does that matter so much? Because the GP is the way into almost everything else:
screening, vaccination, maternity care, mental health support. Someone who cannot register ends up
in A&E with something that could have been dealt with months earlier, or does not get care at all.
And the people most likely to be turned away are people who already face racism and suspicion in
other parts of their lives.
""",
        """
Speaker: The second barrier is fear. Many people we work with have heard that using the NHS will
lead to a bill they cannot pay, or that their details will be passed to immigration enforcement.
Some hospital care is chargeable for some people, and the rules are complicated. But many services
are free for everyone, including GP care, A&E, and treatment for a list of infectious diseases.
Maternity care can be charged, and that fear keeps some women away from antenatal care altogether,
with serious consequences. When staff do not know the rules, they sometimes make the fear worse by
asking questions they do not need to ask.
""",
        """
Speaker: The third barrier is language and trust. Using a child or a neighbour to interpret is
still far too common. It puts the family in an impossible position and it means the clinician
often does not get the full story, particularly about mental health, violence or sexual health.
Professional interpreters, including telephone interpreting, should be the norm. Many of the people
we support have been through experiences that would overwhelm anyone: war, detention, dangerous
journeys, long periods of waiting without the right to work. Being asked the same painful questions
again and again by different services, with no explanation of why, can reopen all of that.
""",
        """
Speaker: So here are my practical asks. Make sure everyone on your front desk knows that no
documents are needed to register with a GP. Use a professional interpreter every time, and book a
longer appointment when you do. Do not ask about immigration status unless you genuinely need to,
and if you do, explain why. And if someone has been refused care or sent a bill, point them to
organisations like ours; we can often sort it out quickly.
""",
        _ACTION_PAUSE,
        """
Member: I work on a hospital ward and we sometimes get told a patient is chargeable. What can we do
as nurses?

Speaker: Clinical need comes first. Urgent and immediately necessary treatment must never be
delayed because of a charging question. You can also make sure the patient knows they can get
advice, and that a bill should not stop them coming back.

Member: Is there a list of local services we can give people?

Speaker: Yes, we have put one together with the Council, and it is on the resource hub.
""",
        _CLOSE_ONLINE,
    )
)


# Resources ------------------------------------------------------------------------------------
# "event" names a past demo session by title; if it is found, the resource is dated just after it.

RESOURCES = [
    # Recordings
    {
        "key": "rec-stress",
        "kind": Resource.Kind.RECORDING,
        "title": "Race-based stress and trauma at work: session recording",
        "description": """
            A clinical psychologist who leads a staff wellbeing service explains how everyday
            racism builds up into real harm for staff and patients. She offers four practical
            things teams can do, and answers questions from managers on how to respond when a
            colleague speaks up.
        """,
        "takeaways": [
            "Racism often wears people down through small, repeated moments, not only incidents",
            "Believe people first; support should not wait for an investigation to finish",
            "Share the load so global majority staff are not always the ones raising concerns",
        ],
        "topics": ["Race-based stress and trauma", "Mental health", "Workforce and recruitment"],
        "author": RIVERSIDE,
        "event": "Race-based stress and trauma at work",
        "days_ago": 70,
        "public": False,
        "url": "https://video.example.org/cop/race-based-stress-and-trauma",
        "transcript": _TRANSCRIPT_STRESS,
    },
    {
        "key": "rec-bias",
        "kind": Resource.Kind.RECORDING,
        "title": "Bias in clinical decisions: session recording",
        "description": """
            A GP partner and a consultant midwife look at where bias enters assessment and
            treatment, from equipment and textbooks to rushed judgements in a short appointment.
            The recording covers both talks and the report-back from table discussions.
        """,
        "takeaways": [
            "Bias is often built into tools and training long before a clinician decides anything",
            "Auditing your own data by ethnicity is uncomfortable and very useful",
            "Make it easy for women and families to ask for a senior review",
            "Book a professional interpreter rather than relying on relatives",
        ],
        "topics": ["Clinical bias", "Maternity and children's health"],
        "author": RESEARCH,
        "event": "Bias in clinical decisions",
        "days_ago": 36,
        "public": False,
        "url": "https://video.example.org/cop/bias-in-clinical-decisions",
        "transcript": _TRANSCRIPT_BIAS,
    },
    {
        "key": "rec-organisation",
        "kind": Resource.Kind.RECORDING,
        "title": "Becoming an anti-racist organisation: one partner's story",
        "description": """
            The chief executive of a small health charity describes three years of trying to
            become anti-racist in practice, not just on paper. The talk is candid about mistakes,
            including leaning too heavily on global majority staff to lead the work.
        """,
        "takeaways": [
            "Look at your own pay and progression data before anything else",
            "Name the problem openly with staff and the board",
            "Senior leaders, not affected staff, should own the action plan",
        ],
        "topics": ["Organisational change", "Leadership and allyship", "Workforce and recruitment"],
        "author": COLLABORATIVE,
        "days_ago": 410,
        "public": True,
        "url": "https://video.example.org/cop/becoming-an-anti-racist-organisation",
        "transcript": _TRANSCRIPT_ORGANISATION,
    },
    {
        "key": "rec-kidney",
        "kind": Resource.Kind.RECORDING,
        "title": "The kidney disease we are not finding: late diagnosis in Black communities",
        "description": """
            A researcher shares what two years of work with local practices and community groups
            revealed about late diagnosis of chronic kidney disease. She covers outdated test
            formulas, missing diagnosis codes and the part that trust plays.
        """,
        "takeaways": [
            "Results calculated with the old ethnicity adjustment may hide kidney disease",
            "A missing diagnosis code can mean years without review",
            "Community venues reach people who rarely visit the surgery",
        ],
        "topics": ["Clinical bias", "Data and evidence"],
        "author": RESEARCH,
        "days_ago": 340,
        "public": False,
        "url": "https://video.example.org/cop/kidney-disease-late-diagnosis",
        "transcript": _TRANSCRIPT_KIDNEY,
    },
    {
        "key": "rec-housing",
        "kind": Resource.Kind.RECORDING,
        "title": "Housing as health: the borough's anti-racist housing strategy",
        "description": """
            The Council's housing strategy lead explains why outcomes in housing fall along racial
            lines even when policies never mention race. The session introduces the new referral
            route for health staff who see homes that are harming someone's health.
        """,
        "takeaways": [
            "Put ethnicity data next to outcomes such as repairs and waiting times",
            "Health and care staff can refer homes with damp and mould as a priority",
            "Families in temporary accommodation need help to register with a local GP",
        ],
        "topics": ["Housing and health", "Policy and commissioning"],
        "author": COUNCIL,
        "days_ago": 300,
        "public": False,
        "url": "https://video.example.org/cop/housing-as-health",
        "transcript": _TRANSCRIPT_HOUSING,
    },
    {
        "key": "rec-migrant",
        "kind": Resource.Kind.RECORDING,
        "title": "Migrant health: opening the door to care",
        "description": """
            An advocacy coordinator from a local refugee and migrant forum sets out the barriers
            people with insecure immigration status meet when they seek care. She ends with
            practical steps any front desk, ward or practice can take straight away.
        """,
        "takeaways": [
            "No proof of address, ID or immigration status is needed to register with a GP",
            "Fear of charges and data sharing keeps people away from care they are entitled to",
            "Use a professional interpreter every time and allow a longer appointment",
        ],
        "topics": ["Migrant health", "Community engagement"],
        "author": MIGRANT_FORUM,
        "days_ago": 255,
        "public": True,
        "url": "https://video.example.org/cop/migrant-health-opening-the-door",
        "transcript": _TRANSCRIPT_MIGRANT,
    },
    {
        "key": "rec-launch",
        "kind": Resource.Kind.RECORDING,
        "title": "Our first session: agreeing what the CoP is for",
        "description": """
            Highlights from the launch session, where members shaped the goals of the community
            together. A useful short watch for anyone joining now who wants to know where the CoP
            came from and what it hopes to do.
        """,
        "takeaways": [
            "The goals were written with members, not handed to them",
            "The CoP is for both personal learning and change in our organisations",
        ],
        "topics": ["Organisational change", "Community engagement"],
        "author": ORGANISERS,
        "days_ago": 530,
        "public": False,
        "url": "https://video.example.org/cop/launch-session-highlights",
    },
    {
        "key": "rec-leaders",
        "kind": Resource.Kind.RECORDING,
        "title": "In conversation: a director of public health on equity in decisions",
        "description": """
            A twenty-minute conversation with the borough's director of public health about how
            equity is weighed when budgets are tight. Recorded for members who asked for more
            contact with senior leaders.
        """,
        "takeaways": [
            "Ask what the equality impact assessment actually changed, not just whether it exists",
            "Senior leaders respond to local stories backed by local data",
        ],
        "topics": ["Leadership and allyship", "Policy and commissioning"],
        "author": COUNCIL,
        "days_ago": 150,
        "public": False,
        "url": "https://video.example.org/cop/director-in-conversation",
    },
    # Slides
    {
        "key": "slides-stress",
        "kind": Resource.Kind.SLIDES,
        "title": "Race-based stress and trauma at work: slides",
        "description": """
            The slides from the webinar on race-based stress, including the four steps for teams
            and a one-page summary for managers. Use them to run a short discussion in your own
            team meeting.
        """,
        "takeaways": [
            "One slide sets out what to say in the first conversation with a colleague",
            "Includes signposting to staff support services",
        ],
        "topics": ["Race-based stress and trauma", "Mental health"],
        "author": RIVERSIDE,
        "event": "Race-based stress and trauma at work",
        "days_ago": 70,
        "public": False,
        "url": "https://example.org/slides/race-based-stress-and-trauma",
    },
    {
        "key": "slides-bias",
        "kind": Resource.Kind.SLIDES,
        "title": "Bias in clinical decisions: slides and case examples",
        "description": """
            Both speakers' slides from the in-person session, with three anonymised case examples
            from primary care and maternity. Each case ends with questions you can use for
            reflective practice or a team huddle.
        """,
        "takeaways": [
            "Case examples are anonymised and safe to share within your team",
            "The escalation prompt used on the maternity unit is included",
        ],
        "topics": ["Clinical bias", "Maternity and children's health"],
        "author": RESEARCH,
        "event": "Bias in clinical decisions",
        "days_ago": 36,
        "public": False,
        "url": "https://example.org/slides/bias-in-clinical-decisions",
    },
    {
        "key": "slides-organisation",
        "kind": Resource.Kind.SLIDES,
        "title": "Becoming an anti-racist organisation: slides",
        "description": """
            The timeline, data and changes to recruitment that the Equity in Health Collaborative
            shared with the CoP. The final slide lists questions a board can ask itself.
        """,
        "takeaways": [
            "A simple timeline shows what changed in each of the three years",
            "Board questions you could borrow for your own organisation",
        ],
        "topics": ["Organisational change", "Leadership and allyship"],
        "author": COLLABORATIVE,
        "days_ago": 408,
        "public": True,
        "url": "https://example.org/slides/becoming-an-anti-racist-organisation",
    },
    {
        "key": "slides-kidney",
        "kind": Resource.Kind.SLIDES,
        "title": "Late diagnosis of kidney disease: slides",
        "description": """
            Charts and search criteria from the kidney disease session. Practice staff can use
            the search criteria to check their own lists for people with results but no diagnosis.
        """,
        "takeaways": [
            "Includes the searches used to find uncoded kidney disease",
            "Shows how to recalculate results without the old adjustment",
        ],
        "topics": ["Clinical bias", "Data and evidence"],
        "author": RESEARCH,
        "days_ago": 338,
        "public": False,
        "url": "https://example.org/slides/kidney-disease-late-diagnosis",
    },
    {
        "key": "slides-migrant",
        "kind": Resource.Kind.SLIDES,
        "title": "Migrant health: slides with a local services map",
        "description": """
            The slides from the migrant health webinar, with a map of local advice and support
            services on the last page. The charging rules are summarised in plain language.
        """,
        "takeaways": [
            "A one-page summary of which services are free for everyone",
            "Local advice services, with how to refer",
            "Wording for front desk staff on GP registration",
        ],
        "topics": ["Migrant health"],
        "author": MIGRANT_FORUM,
        "days_ago": 253,
        "public": False,
        "url": "https://example.org/slides/migrant-health-local-services",
    },
    # Toolkits
    {
        "key": "toolkit-action",
        "kind": Resource.Kind.TOOLKIT,
        "title": "From learning to action: a planning toolkit for teams",
        "description": """
            A short toolkit to help a team choose one anti-racist change, plan it and check
            whether it made a difference. It includes a one-page plan, prompts for a check-in with
            a peer after six weeks and examples from CoP members.
        """,
        "takeaways": [
            "Start with one change that is within your team's control",
            "Decide at the start how you will know if it worked",
            "Pair up with a peer from another organisation to keep each other going",
        ],
        "topics": ["Organisational change", "Leadership and allyship"],
        "author": ORGANISERS,
        "days_ago": 55,
        "public": True,
        "url": "https://example.org/toolkits/learning-to-action",
    },
    {
        "key": "toolkit-eia",
        "kind": Resource.Kind.TOOLKIT,
        "title": "Equality impact assessments: an anti-racist checklist",
        "description": """
            A checklist to use alongside your organisation's equality impact assessment form, so
            that race is considered properly rather than ticked off. It is aimed at commissioners,
            service managers and anyone writing a business case.
        """,
        "takeaways": [
            "Ask who was involved in the assessment, not only what it says",
            "Use local data broken down by ethnicity wherever it exists",
            "Revisit the assessment once the service is running",
        ],
        "topics": ["Policy and commissioning", "Data and evidence"],
        "author": COUNCIL,
        "days_ago": 205,
        "public": False,
        "url": "https://example.org/toolkits/anti-racist-eia-checklist",
    },
    {
        "key": "toolkit-recruitment",
        "kind": Resource.Kind.TOOLKIT,
        "title": "Fairer recruitment: a toolkit for health and care employers",
        "description": """
            Practical steps for shortlisting, interviewing and appointing more fairly, drawn from
            the Trust's own recruitment review. Templates for job adverts and interview questions
            are included.
        """,
        "takeaways": [
            "Drop cultural fit as a reason for not appointing",
            "Diverse panels work best when panel members are given time to do it",
            "Advertise acting-up and development roles openly",
        ],
        "topics": ["Workforce and recruitment"],
        "author": RIVERSIDE,
        "days_ago": 180,
        "public": False,
        "url": "https://example.org/toolkits/fairer-recruitment",
    },
    {
        "key": "toolkit-coproduction",
        "kind": Resource.Kind.TOOLKIT,
        "title": "Co-producing services with racialised communities",
        "description": """
            A toolkit from Community Voices Network on working with communities as equal partners
            from the start of a project. It covers paying people for their time, choosing venues
            and feeding back what changed.
        """,
        "takeaways": [
            "Involve people before decisions are made, not after",
            "Pay community members for their expertise and time",
            "Always tell people what happened because of what they said",
        ],
        "topics": ["Community engagement", "Policy and commissioning"],
        "author": VOICES,
        "days_ago": 425,
        "public": True,
        "url": "https://example.org/toolkits/co-producing-services",
    },
    {
        "key": "toolkit-data",
        "kind": Resource.Kind.TOOLKIT,
        "title": "Ethnicity data: recording it, checking it and using it well",
        "description": """
            A toolkit for teams who hold patient or staff records. It explains how to ask about
            ethnicity respectfully, how to check the quality of what you hold and how to present
            results without reinforcing stereotypes.
        """,
        "takeaways": [
            "Explain to people why you are asking about their ethnicity",
            "High rates of 'not stated' are a finding in themselves",
            "Avoid grouping very different communities together",
        ],
        "topics": ["Data and evidence"],
        "author": RESEARCH,
        "days_ago": 112,
        "public": False,
        "url": "https://example.org/toolkits/ethnicity-data",
    },
    # Articles
    {
        "key": "article-hard-to-reach",
        "kind": Resource.Kind.ARTICLE,
        "title": "Why we stopped saying 'hard to reach'",
        "description": """
            A short piece from Community Voices Network on the language services use about the
            communities they struggle to engage. It argues that the difficulty usually lies with
            the service, and suggests other ways to describe the problem.
        """,
        "takeaways": [
            "Ask what makes your service hard to reach, not who is hard to reach",
            "Language shapes where we look for solutions",
        ],
        "topics": ["Community engagement"],
        "author": VOICES,
        "days_ago": 90,
        "public": True,
        "url": "https://example.org/articles/why-we-stopped-saying-hard-to-reach",
    },
    {
        "key": "article-weathering",
        "kind": Resource.Kind.ARTICLE,
        "title": "Weathering: how the stress of racism shows up in the body",
        "description": """
            An accessible introduction to research on the long-term physical effects of living
            with racism. Written for non-specialists, with suggestions for further reading at the
            end.
        """,
        "takeaways": [
            "Chronic stress from racism is linked to earlier onset of many conditions",
            "The effect builds up over a lifetime, not in a single event",
            "Reducing exposure to racism is a health intervention",
        ],
        "topics": ["Race-based stress and trauma", "Mental health"],
        "author": RESEARCH,
        "days_ago": 310,
        "public": False,
        "url": "https://example.org/articles/weathering",
    },
    {
        "key": "article-interpreters",
        "kind": Resource.Kind.ARTICLE,
        "title": "Interpreters are not an optional extra",
        "description": """
            A community advocate writes about what happens when children and relatives are used
            to interpret in appointments, especially in maternity and mental health care. The
            article includes the voices of three local women.
        """,
        "takeaways": [
            "Using relatives to interpret can hide abuse and distress",
            "Telephone interpreting is quick to arrange in most settings",
        ],
        "topics": ["Migrant health", "Maternity and children's health"],
        "author": VOICES,
        "days_ago": 140,
        "public": False,
        "url": "https://example.org/articles/interpreters-not-optional",
    },
    {
        "key": "article-incidents",
        "kind": Resource.Kind.ARTICLE,
        "title": "What changed when we named racism in our incident reviews",
        "description": """
            A patient safety lead describes adding a question about race and discrimination to
            every serious incident review. She reflects on the resistance the change met at first
            and what the reviews have revealed since.
        """,
        "takeaways": [
            "If you never ask about racism in reviews, you will never find it",
            "Staff needed support and training to ask the question well",
        ],
        "topics": ["Organisational change", "Clinical bias"],
        "author": RIVERSIDE,
        "days_ago": 45,
        "public": False,
        "url": "https://example.org/articles/naming-racism-in-incident-reviews",
    },
    # Reports
    {
        "key": "report-evaluation",
        "kind": Resource.Kind.REPORT,
        "title": "The CoP's first year: independent evaluation",
        "description": """
            The independent evaluation of the CoP's first year, co-designed with members and
            carried out with a trauma-informed approach. It found that 66 members from 20
            organisations had taken part and that just over half came to only one event. It
            recommends clearer goals, a resource hub and better support for members to turn
            what they learn into change at work.
        """,
        "takeaways": [
            "Members valued the CoP as a place to learn, reflect and meet peers",
            "Safety meant different things to global majority and non-global majority members",
            "Members want more help turning learning into change",
            "Self-directed learning can ease the load on global majority colleagues",
        ],
        "topics": ["Organisational change", "Community engagement", "Leadership and allyship"],
        "author": EVALUATORS,
        "days_ago": 235,
        "public": True,
        "url": "https://example.org/reports/cop-first-year-evaluation",
    },
    {
        "key": "report-maternity",
        "kind": Resource.Kind.REPORT,
        "title": "Maternity outcomes by ethnicity in the borough",
        "description": """
            A five-year look at local maternity data broken down by ethnicity, covering booking,
            complications and experience of care. It sets out where the gaps are widest and
            which services are already acting on them.
        """,
        "takeaways": [
            "Late booking is more common in some communities, often for reasons of fear or cost",
            "Experience-of-care scores show the largest gaps",
        ],
        "topics": ["Maternity and children's health", "Data and evidence"],
        "author": COUNCIL,
        "days_ago": 245,
        "public": False,
        "url": "https://example.org/reports/maternity-outcomes-by-ethnicity",
    },
    {
        "key": "report-mental-health",
        "kind": Resource.Kind.REPORT,
        "title": "Mental health detentions and ethnicity: a local look",
        "description": """
            A research briefing on who is detained under mental health law in the borough and how
            they came into contact with services. It points to fewer early routes into support for
            Black men and makes recommendations for commissioners.
        """,
        "takeaways": [
            "Crisis is too often the first point of contact for Black men",
            "Community-led early support needs long-term funding",
            "Detention data should be reviewed by ethnicity every year",
        ],
        "topics": ["Mental health", "Data and evidence", "Policy and commissioning"],
        "author": RESEARCH,
        "days_ago": 385,
        "public": False,
        "url": "https://example.org/reports/mental-health-detentions",
    },
    {
        "key": "report-temporary-accommodation",
        "kind": Resource.Kind.REPORT,
        "title": "Living in temporary accommodation: residents' accounts",
        "description": """
            Twenty families share what living in temporary accommodation has meant for their
            health, their children's schooling and their contact with services. The report was
            gathered and written with residents.
        """,
        "takeaways": [
            "Moves far from GP and school break the continuity of care",
            "Families wanted to be asked, not assumed about",
        ],
        "topics": ["Housing and health", "Community engagement"],
        "author": VOICES,
        "days_ago": 470,
        "public": True,
        "url": "https://example.org/reports/temporary-accommodation-accounts",
    },
    # Guides
    {
        "key": "guide-caucuses",
        "kind": Resource.Kind.GUIDE,
        "title": "A short guide to the racial identity caucuses",
        "description": """
            What the caucuses are, who each one is for, and how they sit alongside the mixed
            sessions. It explains how to choose a caucus, that taking part is optional, and how
            your choice is kept private.
        """,
        "takeaways": [
            "Caucuses are optional spaces alongside, not instead of, the mixed sessions",
            "Global majority members can talk without having to explain their experience",
            "Non-global majority members can do their own learning without relying on others",
        ],
        "topics": ["Leadership and allyship", "Race-based stress and trauma"],
        "author": ORGANISERS,
        "days_ago": 28,
        "public": False,
        "url": "https://example.org/guides/racial-identity-caucuses",
    },
    {
        "key": "guide-supervision",
        "kind": Resource.Kind.GUIDE,
        "title": "Talking about race in supervision: a guide for managers",
        "description": """
            A guide for managers and clinical supervisors who want to make room for conversations
            about race and racism in supervision. It includes opening questions and advice on
            what to do when a supervisee describes a racist incident.
        """,
        "takeaways": [
            "Raise the subject yourself rather than waiting for the supervisee to",
            "Listen first; problem-solving can come later",
            "Agree what will be written down and who will see it",
        ],
        "topics": ["Leadership and allyship", "Workforce and recruitment"],
        "author": RIVERSIDE,
        "days_ago": 165,
        "public": False,
        "url": "https://example.org/guides/race-in-supervision",
    },
    {
        "key": "guide-reporting",
        "kind": Resource.Kind.GUIDE,
        "title": "When a colleague reports racism: a guide to responding well",
        "description": """
            Step-by-step advice for anyone a colleague turns to after experiencing racism, whether
            from a patient, a member of the public or another member of staff. It covers the first
            conversation, the formal routes and aftercare.
        """,
        "takeaways": [
            "Thank them, believe them and ask what would help now",
            "Offer support whether or not a formal complaint is made",
            "Check in again a week later",
        ],
        "topics": ["Workforce and recruitment", "Race-based stress and trauma"],
        "author": COUNCIL,
        "days_ago": 98,
        "public": False,
        "url": "https://example.org/guides/when-a-colleague-reports-racism",
    },
    {
        "key": "guide-entitlement",
        "kind": Resource.Kind.GUIDE,
        "title": "Who can get NHS care: a plain guide for frontline staff",
        "description": """
            A plain-language guide to entitlement and charging for staff who meet migrants,
            refugees and people seeking asylum. It sets out what is free for everyone and where to
            send people for advice.
        """,
        "takeaways": [
            "GP registration and A&E care are free for everyone",
            "Urgent treatment must never wait on a charging question",
            "Only ask about immigration status when you genuinely need to",
        ],
        "topics": ["Migrant health", "Policy and commissioning"],
        "author": MIGRANT_FORUM,
        "days_ago": 215,
        "public": True,
        "url": "https://example.org/guides/who-can-get-nhs-care",
    },
    # Reading
    {
        "key": "reading-allyship",
        "kind": Resource.Kind.READING,
        "title": "Reading list: allyship you do yourself",
        "description": """
            Books, essays and podcasts chosen for non-global majority members who want to take
            responsibility for their own learning. Each entry has a note on why it is there and
            roughly how long it takes.
        """,
        "takeaways": [
            "Learning about racism is your own work, not your colleagues'",
            "Start with one item and give yourself time to reflect on it",
        ],
        "topics": ["Leadership and allyship"],
        "author": ORGANISERS,
        "days_ago": 75,
        "public": False,
        "url": "https://example.org/reading/allyship-you-do-yourself",
    },
    {
        "key": "reading-structural",
        "kind": Resource.Kind.READING,
        "title": "Reading list: structural racism and health, a starter set",
        "description": """
            A starter set of reports and papers on how racism shapes health in the UK, picked by
            the research unit for readers new to the subject. Most are free to read online.
        """,
        "takeaways": [
            "Covers housing, employment, policing and health care together",
            "A good base for anyone writing a strategy or business case",
        ],
        "topics": ["Data and evidence", "Policy and commissioning"],
        "author": RESEARCH,
        "days_ago": 500,
        "public": True,
        "url": "https://example.org/reading/structural-racism-and-health",
    },
    {
        "key": "reading-reflection",
        "kind": Resource.Kind.READING,
        "title": "Reflective exercises for non-global majority members",
        "description": """
            Six short exercises to work through on your own or with another non-global majority
            colleague. They help you look at your own assumptions, power and habits at work,
            without asking anyone else to do that thinking for you.
        """,
        "takeaways": [
            "Notice when you feel defensive, and stay curious about it",
            "Think about the power your role gives you and how you use it",
            "Plan one thing to do differently and tell someone you trust",
        ],
        "topics": ["Leadership and allyship", "Organisational change"],
        "author": ORGANISERS,
        "days_ago": 48,
        "public": False,
        "url": "https://example.org/reading/reflective-exercises",
    },
    # Links
    {
        "key": "link-initiatives",
        "kind": Resource.Kind.LINK,
        "title": "Map of local equity initiatives",
        "description": """
            An online map of anti-racist and equity work under way among partners in the borough,
            kept up to date by the Council. Use it to find work you can join instead of starting
            something new.
        """,
        "takeaways": [
            "Check what already exists before starting a new project",
            "Each entry has a contact who is happy to be approached",
        ],
        "topics": ["Community engagement", "Organisational change"],
        "author": COUNCIL,
        "days_ago": 18,
        "public": True,
        "url": "https://example.org/links/local-equity-initiatives",
    },
    {
        "key": "link-dashboard",
        "kind": Resource.Kind.LINK,
        "title": "Borough health inequalities dashboard",
        "description": """
            The Council's public dashboard of health outcomes by area, age and ethnicity, updated
            every quarter. It is a quick way to find local figures for a report or a conversation
            with a manager.
        """,
        "takeaways": [
            "Filter by ethnicity and neighbourhood to see where gaps are widest",
            "Check the notes on each chart for gaps in the data",
        ],
        "topics": ["Data and evidence"],
        "author": COUNCIL,
        "days_ago": 128,
        "public": True,
        "url": "https://example.org/links/health-inequalities-dashboard",
    },
    {
        "key": "link-network",
        "kind": Resource.Kind.LINK,
        "title": "Riverside race equality network: how to join",
        "description": """
            How Trust staff can join the race equality network and its allies group, with dates
            of upcoming meetings. Staff from partner organisations are welcome at open sessions.
        """,
        "takeaways": [
            "Members and allies meet separately as well as together",
            "Open sessions are advertised to partners every quarter",
        ],
        "topics": ["Workforce and recruitment", "Leadership and allyship"],
        "author": RIVERSIDE,
        "days_ago": 265,
        "public": False,
        "url": "https://example.org/links/race-equality-network",
    },
]


# Pathways -------------------------------------------------------------------------------------

PATHWAYS = [
    {
        "title": "Starting out: a path for new joiners",
        "description": """
            Five short steps for anyone new to the CoP. You will find out why the community was set
            up, how the caucuses work, what one partner learned on its own anti-racist journey and
            what is already happening locally, and finish by planning one change of your own. Each
            step has a question to reflect on; your notes are private to you.
        """,
        "steps": [
            (
                "rec-launch",
                "What drew you to this community? Which of its goals feels closest to your own "
                "work, and which feels furthest away?",
            ),
            (
                "guide-caucuses",
                "What does feeling safe in a conversation about race mean for you? How might it "
                "be different for a colleague with a different racial identity?",
            ),
            (
                "rec-organisation",
                "Think about your own organisation. What would its pay, progression or complaints "
                "data show if you broke it down by ethnicity? Who could you ask?",
            ),
            (
                "link-initiatives",
                "Is there work already going on near you that you could join, rather than "
                "starting something new? Note one contact you could get in touch with.",
            ),
            (
                "toolkit-action",
                "Choose one change within your reach. What will you do in the next month, and how "
                "will you know if it made a difference?",
            ),
        ],
    },
    {
        "title": "Allyship: learning on your own",
        "description": """
            A self-directed route for non-global majority members who want to build their
            understanding of racism and their part in challenging it, in their own time. It means
            the learning sits with you rather than with global majority colleagues, who should
            not have to explain their experiences to teach others. Work through it alone or with
            another colleague doing the same.
        """,
        "steps": [
            (
                "reading-allyship",
                "Pick one item from the list. What surprised you, and what did you find yourself "
                "wanting to argue with? Stay with that reaction for a moment.",
            ),
            (
                "article-weathering",
                "How does knowing about the long-term effects of everyday racism change the way "
                "you see small incidents at work?",
            ),
            (
                "rec-stress",
                "When has a colleague raised racism with you, or near you? Looking back, what did "
                "you do, and what would you do now?",
            ),
            (
                "reading-reflection",
                "What power does your role give you? Name one place where you could use it to "
                "take some of the load off colleagues who are affected by racism.",
            ),
        ],
    },
]


# Case studies ---------------------------------------------------------------------------------

CASE_STUDIES = [
    {
        "title": "Booking interpreters from the first home visit",
        "context": """
            I work in a community nursing team that visits people at home across the east of the
            borough. We realised that on first visits to patients who did not speak English
            confidently, we were often relying on a son, daughter or neighbour to interpret,
            because that was who happened to be there. Important things were being missed, such
            as pain, worries about money and, once, signs that a patient was not safe at home.
        """,
        "what_we_did": """
            After a CoP session on migrant health we added a question about language to our
            referral form and agreed that an interpreter would be booked for every first visit
            where it was needed, by telephone if nobody could attend in person. We practised
            working with telephone interpreters in a team meeting, because several of us had
            avoided it as awkward. Our manager agreed that those visits could be booked for longer.
        """,
        "what_changed": """
            Within three months almost every first visit that needed an interpreter had one.
            Patients have told us more, and two safeguarding concerns were raised that we think
            would otherwise have been missed. Colleagues say they feel more confident and the
            visits no longer feel rushed.
        """,
        "to_share": """
            Start with the referral form: if the need is known before the visit, it is far easier
            to plan for. And give people time to practise with telephone interpreting before they
            need it for real.
        """,
        "topics": ["Migrant health", "Community engagement"],
        "credit": True,
        "state": "published",
    },
    {
        "title": "Responding as a team when a patient was racist to a colleague",
        "context": """
            A patient made a racist remark to one of our healthcare assistants during a clinic.
            She finished the appointment and said nothing at the time. Later she told a colleague
            that it happened often and that nobody ever said anything, so she had stopped
            mentioning it.
        """,
        "what_we_did": """
            We talked about it at our next team meeting, with her agreement, and asked ourselves
            why nobody had spoken up before. We agreed a simple script for staff who witness a
            remark, so that the person affected is not left to deal with it alone, and we made
            sure incidents like this are recorded. Our manager met the healthcare assistant
            privately to ask what support she wanted, and did not assume.
        """,
        "what_changed": """
            Staff who are not affected now step in more often, and incidents are being recorded,
            which they were not before. The colleague told us it made a difference simply knowing
            the team was on her side. We have shared the script with two other clinics.
        """,
        "to_share": """
            Ask the person affected what they want before taking it to the team. And make it the
            job of those who witness racism to respond, not the person on the receiving end.
        """,
        "topics": ["Race-based stress and trauma", "Workforce and recruitment"],
        "credit": False,
        "state": "published",
    },
    {
        "title": "Checking skin properly in wound assessments",
        "context": """
            In our pressure ulcer audits we noticed that early damage was recorded less often for
            patients with darker skin, but later-stage damage was not less common. We suspected
            we were missing early signs because our training had shown us mostly white skin.
        """,
        "what_we_did": """
            We are putting together a short teaching session with photographs of early pressure
            damage on a range of skin tones, and changing our assessment prompt so that it asks
            about warmth, firmness and pain as well as colour. Still working on this.
        """,
        "what_changed": """
            Too early to say. We plan to repeat the audit six months after the teaching.
        """,
        "to_share": "",
        "topics": ["Clinical bias"],
        "credit": True,
        "state": "draft",
    },
]


# Initiatives ----------------------------------------------------------------------------------

INITIATIVES = [
    {
        "name": "Race Equality Network",
        "organisation": RIVERSIDE,
        "summary": """
            A staff network for global majority colleagues at the Trust, with a separate allies
            group. It gives members peer support, a voice into the board and a say in how the
            Trust's race equality plan is put into practice.
        """,
        "audience": "Trust staff who identify as global majority; allies through the allies group",
        "contact": "race-equality-network@example.org",
        "url": "https://example.org/riverside/race-equality-network",
        "status": Initiative.Status.ACTIVE,
        "topics": ["Workforce and recruitment", "Leadership and allyship"],
    },
    {
        "name": "Maternity Equity Champions",
        "organisation": RIVERSIDE,
        "summary": """
            Midwives and maternity support workers trained to spot and challenge inequity on the
            wards, from interpreter use to escalation of concerns. Champions review cases each
            month and feed learning back to the unit.
        """,
        "audience": "Maternity staff at the Trust and local community midwifery teams",
        "contact": "maternity-equity@example.org",
        "url": "https://example.org/riverside/maternity-equity-champions",
        "status": Initiative.Status.ACTIVE,
        "topics": ["Maternity and children's health", "Clinical bias"],
    },
    {
        "name": "Anti-racist housing strategy",
        "organisation": COUNCIL,
        "summary": """
            The Council's plan to close the gaps in housing outcomes between ethnic groups. It
            monitors allocations and repairs by ethnicity, runs a paid residents' panel and offers
            a priority referral route for health staff who see homes harming someone's health.
        """,
        "audience": "Council tenants, housing staff and health and care professionals",
        "contact": "housing-strategy@example.org",
        "url": "https://example.org/council/anti-racist-housing-strategy",
        "status": Initiative.Status.ACTIVE,
        "topics": ["Housing and health", "Policy and commissioning"],
    },
    {
        "name": "Health Equity Small Grants",
        "organisation": COUNCIL,
        "summary": """
            One-year grants for community groups running health projects led by and for
            racialised communities. The last round funded fourteen projects; an evaluation is
            being written up.
        """,
        "audience": "Voluntary and community groups in the borough",
        "contact": "equity-team@example.org",
        "url": "https://example.org/council/health-equity-grants",
        "status": Initiative.Status.ENDED,
        "topics": ["Community engagement", "Policy and commissioning"],
    },
    {
        "name": "Community Health Connectors",
        "organisation": VOICES,
        "summary": """
            Trusted local people who share health information in places where people already
            gather, such as places of worship, barbers and community centres, and help them find
            their way to services.
        """,
        "audience": "Residents who rarely use mainstream services; services wanting to reach them",
        "contact": "connectors@example.org",
        "url": "https://example.org/community-voices/health-connectors",
        "status": Initiative.Status.ACTIVE,
        "topics": ["Community engagement", "Migrant health"],
    },
    {
        "name": "Ethnicity Data Quality Project",
        "organisation": RESEARCH,
        "summary": """
            A planned project with GP practices and the Trust to improve how ethnicity is recorded,
            so that gaps in care can be seen and acted on. It will start with a review of 'not
            stated' records.
        """,
        "audience": "Practice managers, data teams and clinicians who record patient details",
        "contact": "data-quality@example.org",
        "url": "https://example.org/research-unit/ethnicity-data-quality",
        "status": Initiative.Status.PLANNED,
        "topics": ["Data and evidence"],
    },
    {
        "name": "Reverse Mentoring for Senior Leaders",
        "organisation": None,
        "summary": """
            A system-wide scheme pairing directors and executives with global majority staff from
            other organisations, so leaders hear directly about experiences they may not see.
            Mentors are paid and supported throughout.
        """,
        "audience": "Directors and executives across partners; mentors from any grade",
        "contact": "reverse-mentoring@example.org",
        "url": "https://example.org/partnership/reverse-mentoring",
        "status": Initiative.Status.PLANNED,
        "topics": ["Leadership and allyship", "Organisational change"],
    },
    {
        "name": "Welcoming Practices Pilot",
        "organisation": None,
        "summary": """
            A pilot with six GP practices to make registration straightforward for migrants and
            people without documents, through front desk training and clear signage in several
            languages. Learning has been written up for other practices.
        """,
        "audience": "GP practice staff, especially reception and registration teams",
        "contact": "welcoming-practices@example.org",
        "url": "https://example.org/partnership/welcoming-practices",
        "status": Initiative.Status.ENDED,
        "topics": ["Migrant health", "Community engagement"],
    },
]


def _topics(names, known):
    return [known[name] for name in names if name in known]


@transaction.atomic
def demo_resources_load(*, organiser, member) -> dict[str, int]:
    """Load the sample hub content once: if any demo resource exists, change nothing."""
    counts = {"resources": 0, "pathways": 0, "case_studies": 0, "initiatives": 0}
    if Resource.objects.filter(slug__startswith="demo-").exists():
        return counts
    today = timezone.localdate()
    known = {topic.name: topic for topic in Topic.objects.all()}
    past_events = {
        event.title: event
        for event in Event.objects.filter(
            slug__startswith="demo-", ends_at__lt=timezone.now(), caucus__isnull=True
        )
    }

    by_key = {}
    for item in RESOURCES:
        event = past_events.get(item.get("event"))
        if event is not None:
            published_on = min(
                timezone.localdate(event.ends_at) + datetime.timedelta(days=3), today
            )
        else:
            published_on = today - datetime.timedelta(days=item["days_ago"])
        is_video = item["kind"] == Resource.Kind.RECORDING
        by_key[item["key"]] = resource_save(
            resource=Resource(slug=f"demo-{slugify(item['title'])}"[:220]),
            topics=_topics(item["topics"], known),
            user=organiser,
            title=item["title"],
            kind=item["kind"],
            description=_prose(item["description"]),
            key_takeaways="\n".join(item["takeaways"]),
            author=item["author"],
            event=event,
            published_on=published_on,
            audience=Audience.PUBLIC if item["public"] else Audience.MEMBERS,
            status=Resource.Status.PUBLISHED,
            external_url="" if is_video else item["url"],
            video_url=item["url"] if is_video else "",
            transcript=item.get("transcript", ""),
        )
        counts["resources"] += 1

    for spec in PATHWAYS:
        pathway = pathway_save(
            pathway=LearningPathway(),
            title=spec["title"],
            description=_prose(spec["description"]),
            is_published=True,
        )
        for order, (key, prompt) in enumerate(spec["steps"], start=1):
            PathwayStep.objects.create(
                pathway=pathway, resource=by_key[key], order=order, reflection_prompt=prompt
            )
        counts["pathways"] += 1

    for spec in CASE_STUDIES:
        case_study = case_study_save(
            case_study=CaseStudy(),
            author=member,
            topics=_topics(spec["topics"], known),
            title=spec["title"],
            context=_prose(spec["context"]),
            what_we_did=_prose(spec["what_we_did"]),
            what_changed=_prose(spec["what_changed"]),
            to_share=_prose(spec["to_share"]),
            credit_author=spec["credit"],
        )
        if spec["state"] == "published":
            case_study = case_study_submit(case_study=case_study)
            case_study_moderate(
                case_study=case_study, decision=CaseStudy.Status.PUBLISHED, comment=""
            )
        counts["case_studies"] += 1

    organisations = {org.name: org for org in Organisation.objects.all()}
    for spec in INITIATIVES:
        initiative_save(
            initiative=Initiative(),
            topics=_topics(spec["topics"], known),
            name=spec["name"],
            organisation=organisations.get(spec["organisation"]),
            summary=_prose(spec["summary"]),
            audience=spec["audience"],
            contact=spec["contact"],
            url=spec["url"],
            status=spec["status"],
        )
        counts["initiatives"] += 1
    return counts
