"""Text that reads like a federal agency's, for the factories and the demo agency.

The factories used Faker's lorem ("Quite base buy house option return…") and made-up places
("American Red Cross, South Jennifer"). These pools are what a department's tracking system
holds; factories walk them in order (``cycle``), so the same seed gives the same text.
"""

import factory


def cycle(items):
    """A factory sequence that walks ``items`` in order, starting again at the end."""
    return factory.Sequence(lambda n: items[n % len(items)])


def numbered(items, suffix=" {}", *, first=2, index=None):
    """A factory sequence that walks ``items`` (their element ``index``, for tuples) in
    order and, past the end, tells the repeats apart: ``suffix`` formatted with the number
    of the pass, ``first`` for the second pass."""

    def value(n):
        lap, position = divmod(n, len(items))
        item = items[position] if index is None else items[position][index]
        return item + suffix.format(lap + first - 1) if lap else item

    return factory.Sequence(value)


TOPICS = (
    "grant oversight",
    "zero trust architecture",
    "records retention",
    "artificial intelligence use cases",
    "privacy impact assessments",
    "hiring timelines",
    "hurricane season staffing",
    "telework policy",
    "cloud migration",
    "improper payments",
    "data sharing with the states",
    "Section 508 accessibility",
    "the FOIA backlog",
    "supply chain risk",
    "customer experience",
    "workforce reskilling",
    "procurement lead times",
    "facility security",
    "emergency alerts",
    "financial statement audit findings",
)

# {topic}, {office}: filled in by the demo agency (and with defaults by the factory)
TITLE_TEMPLATES = (
    "Respond to the GAO draft report on {topic}",
    "Prepare the budget justification for {topic}",
    "Answer the congressional letter on {topic}",
    "Brief the Deputy Secretary on {topic}",
    "Implement the executive order requirements on {topic}",
    "Review the draft rule on {topic}",
    "Close out the OIG recommendation on {topic}",
    "Provide strategic plan input on {topic}",
    "Coordinate comments on OMB guidance on {topic}",
    "Update the policy directive on {topic}",
    "Prepare talking points for the hearing on {topic}",
    "Assess the risks of {topic}",
)

SUB_TASKER_TITLES = (
    "{office} input: {parent}",
    "{office} clearance of the draft response",
    "{office} data for {topic}",
    "{office} review of legal sufficiency",
)

ACTION_DESCRIPTIONS = (
    "The Executive Secretariat tasks the lead office to prepare the Department's response. "
    "Supporting offices provide input through the coordination board; the lead office "
    "consolidates, clears it with the Office of the General Counsel and returns it by the "
    "suspense date.",
    "Leadership asked for a short decision memo with options, costs and a recommendation. "
    "Keep it to two pages and attach the data the recommendation rests on.",
    "Deliver the Department's position in the standard format. Note any disagreement among "
    "offices in the transmittal so leadership can resolve it before signature.",
    "The lead office drafts; budget, legal and policy offices concur before the package goes "
    "to the front office. Flag any resource implications early.",
)

UNIT_DESCRIPTIONS = {
    "DEPT": "The Department: its offices, bureaus and field operations.",
    "OS": "Supports the Secretary and Deputy Secretary in leading the Department.",
    "ES": "Assigns, tracks and clears taskers and correspondence for the Secretary.",
    "OCIO": "Leads the Department's information technology, cybersecurity and data programs.",
    "OCIO-CSD": "Protects the Department's systems and information; runs the security "
    "operations center.",
    "OCIO-CSD-SOC": "Monitors, detects and responds to cyber incidents around the clock.",
    "OCIO-CSD-GRC": "Authorizes systems to operate and tracks security controls and POA&Ms.",
    "OCIO-EAB": "Keeps the Department's IT portfolio and target architecture.",
    "OCIO-DAB": "Runs the Department's data platform, statistics and analytics.",
    "OCFO": "Plans, executes and accounts for the Department's budget.",
    "OCFO-BUD": "Formulates the budget request and manages its execution.",
    "OCFO-BUD-BEB": "Apportions funds and monitors obligations and spending.",
    "OCFO-BUD-BFB": "Prepares the budget request and the congressional justification.",
    "OCFO-GMD": "Oversees the Department's grant programs from award to closeout.",
    "OCFO-ACC": "Keeps the books and prepares the audited financial statements.",
    "OGC": "Provides legal advice to the Secretary and every office of the Department.",
    "OGC-REG": "Drafts and reviews rules and manages the regulatory agenda.",
    "OGC-ETH": "Runs the ethics program: financial disclosure, training and advice.",
    "OGC-LIT": "Represents the Department in litigation with the Department of Justice.",
    "OPP": "Develops the Department's policies, strategic plan and performance goals.",
    "OPP-STR": "Leads the strategic plan, priority goals and quarterly reviews.",
    "OPP-EVA": "Evaluates programs and builds the evidence for policy choices.",
    "OPP-LEG": "Works with Congress on legislation, hearings and correspondence.",
    "OHC": "Hires, develops and supports the Department's workforce.",
    "OHC-WPB": "Plans the workforce the Department needs and tracks hiring.",
    "OHC-TRN": "Trains and develops employees and supervisors.",
    "OHC-LER": "Advises on conduct, performance and labor relations.",
    "OSEP": "Keeps the Department's people, facilities and operations safe.",
    "OSEP-EPD": "Plans for emergencies and runs the continuity program.",
    "OSEP-PSD": "Investigates and adjudicates suitability and security clearances.",
    "OSEP-PHY": "Secures the Department's buildings and controls access.",
    "OPO": "Buys the goods and services the Department needs.",
    "OPO-ACQ": "Awards and administers the Department's contracts.",
    "OPO-POL": "Writes acquisition policy and oversees procurement compliance.",
    "FOD": "Delivers the Department's programs through its regional offices.",
    "FOD-NE": "Serves the states of New England, New York and New Jersey.",
    "FOD-SE": "Serves the southeastern states, Puerto Rico and the U.S. Virgin Islands.",
    "FOD-CE": "Serves the central states from the Great Lakes to the Gulf.",
    "FOD-WE": "Serves the western states, Alaska, Hawaii and the Pacific territories.",
    "PRIV": "Protects personal information and runs the privacy compliance program.",
    "OPA": "Speaks for the Department to the press and the public.",
}
UNIT_DESCRIPTION = "An office of the Department."

ACTION_TYPE_DESCRIPTIONS = {
    "Executive Directive": "A directive from the Secretary that offices carry out.",
    "Information Request": "A request for facts or data from leadership or a partner.",
    "Congressional Inquiry": "A letter or question from a Member or committee of Congress.",
    "Regulatory Review": "Review of a proposed or final rule before clearance.",
    "Strategic Plan Input": "Contributions to the strategic plan and performance goals.",
    "Budget Data Call": "A call for budget figures and justifications.",
    "Security Review": "A review of a security matter or incident.",
    "Partner Agreement": "Negotiation or renewal of an agreement with a partner.",
}
ACTION_TYPE_DESCRIPTION = "A kind of tasker the Executive Secretariat assigns."

ACCOMPLISHMENTS = (
    "Collected input from every supporting office and consolidated the first draft.",
    "Met with the General Counsel's office; the legal review found no objections.",
    "Finished the data pull for the last three fiscal years and checked it with budget.",
    "Circulated the draft for concurrence; two of three offices have concurred.",
    "Briefed the office director and incorporated her comments.",
    "Completed the site visits and summarized the findings.",
)

NEXT_STEPS = (
    "Resolve the remaining comments and send the package to the front office.",
    "Obtain concurrence from the Office of the Chief Financial Officer.",
    "Schedule the briefing with the Deputy Secretary's office.",
    "Finalize the talking points and the one-page summary.",
    "Confirm the figures with the regional offices before clearance.",
)

DECISION_TITLES = (
    "Proceed with option 2",
    "Extend the comment period",
    "Phase the rollout by region",
    "Fund from existing resources",
    "Use the standard clearance process",
)

DECISION_DESCRIPTIONS = (
    "Leadership chose the phased approach described in the decision memo.",
    "The front office agreed to proceed within the current budget.",
    "The Deputy Secretary approved the recommendation with one change.",
)

DECISION_RATIONALES = (
    "It meets the statutory deadline at the lowest cost and risk.",
    "The offices agreed it is the only option that can be staffed this quarter.",
    "It keeps the Department consistent with OMB guidance.",
)

DEPENDENCY_DESCRIPTIONS = (
    "The response cannot be cleared until the data call is complete.",
    "The briefing uses the figures this tasker produces.",
    "Both taskers answer the same congressional request.",
)

JUSTIFICATIONS = (
    "The regional data arrive after the suspense; we need two more weeks to include them.",
    "OMB extended its own deadline, and the response must reflect the revised guidance.",
    "The office director is on travel; the package needs her clearance before it goes out.",
    "The supporting office asked for more time to complete its legal review.",
)

DUE_DATE_REASONS = (
    "Extension approved by the office director.",
    "Aligned with the revised OMB deadline.",
    "Moved to follow the congressional hearing schedule.",
)

ANALYSIS_SUMMARIES = (
    "Reviews what the authority requires of the Department, which offices it touches and "
    "what it will cost to comply.",
    "Compares the Department's current practice with the new requirements and lists the gaps.",
)
FINDINGS = (
    "Three offices already comply; two need new procedures and one needs a system change.",
    "The main gap is staffing: the work needs two more full-time employees.",
)
RECOMMENDATIONS = (
    "Issue an implementation directive and track the offices' milestones quarterly.",
    "Fund the system change in the next budget request and pilot it in one region.",
)
IMPACT_DESCRIPTIONS = (
    "Offices must change how they collect and keep the records this authority covers.",
    "New reporting adds work for program staff each quarter.",
)
MITIGATION_PLANS = (
    "Provide templates and training; phase the change in over two quarters.",
    "Automate the report from existing systems before the first due date.",
)
RISK_DESCRIPTIONS = (
    "The Department may miss the statutory deadline.",
    "Key staff may leave before the work is done.",
)
RISK_IMPACTS = (
    "Missing the deadline would draw a GAO finding and congressional attention.",
    "Delays would push the work into the next fiscal year.",
)

AGREEMENT_PURPOSES = (
    "Sets out how the parties share information, who pays for what and how disputes are resolved.",
    "Establishes the terms under which the parties provide services to each other.",
)
AGREEMENT_TERMS = (
    "Five-year term; either party may end it with 90 days' written notice.",
    "Costs are reimbursed quarterly under the Economy Act.",
)

ACCOUNT_DESCRIPTIONS = {
    "federal": "A federal agency the Department works with.",
    "state": "A state government partner.",
    "local": "A local government partner.",
    "tribal": "A tribal government partner.",
    "international": "An international organization.",
    "private": "A private-sector partner.",
    "nonprofit": "A non-profit partner.",
    "academic": "An academic partner.",
    "legislative": "A committee of Congress.",
}
