"""The bricskg ontology's namespace as a closed rdflib ``DefinedNamespace``: a typo in a term raises.

Every term of ontology/bricskg.ttl is listed once with its skos:definition as a comment (the way
rdflib's own ``_ORG.py`` and ``_PROV.py`` do), so code says ``BKG.BlocMembership`` instead of a string
IRI and an unknown term fails at import-time use rather than silently minting a new IRI.
tests/test_vocab.py checks that this class and the ontology list exactly the same terms.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace, URIRef

from bricskg.config import BASE_IRI

ID = Namespace(BASE_IRI + "id/")  # entities: states, blocs, agreements, people, ...
CLAIM = Namespace(BASE_IRI + "claim/")  # claim (assertion) graphs
SOURCE = Namespace(BASE_IRI + "source/")  # the article and its sentences
GRAPH = Namespace(BASE_IRI + "graph/")  # bookkeeping graphs: provenance, reference, audit

ONTOLOGY_IRI = URIRef(BASE_IRI + "ontology")  # also the named graph the ontology is loaded into
ARTICLE = SOURCE["article"]  # the article; its sentences are SOURCE["article/s01"] ...
PROVENANCE_GRAPH = GRAPH["provenance"]
REFERENCE_GRAPH = GRAPH["reference"]


class BKG(DefinedNamespace):
    """Terms of the bricskg ontology (https://w3id.org/bricskg/ontology/)."""

    _NS = Namespace(BASE_IRI + "ontology/")
    _fail = True

    # Classes
    AIAlliance: URIRef  # A collaboration of states or organisations formed to pursue artificial-intelligence goals together, such as the BRICS AI Alliance.
    AIInitiative: URIRef  # An organised effort about artificial intelligence — an alliance, working group, plan or infrastructure programme.
    AIModelFamily: URIRef  # The artificial-intelligence models originating from one country or region, taken together, such as “Western AI models”.
    Agreement: URIRef  # A written arrangement between states that sets out what they will do together, binding or not.
    Bloc: URIRef  # An intergovernmental grouping of states that act together, such as BRICS; a collaboration without legal personality of its own, so never an org:FormalOrganization.
    BlocCharacter: URIRef  # A kind of grouping a bloc is said to be or to have grown beyond, such as a political alliance.
    BlocMembership: URIRef  # The relationship of exactly one state to exactly one bloc it is a member of, with the role (founding or expansion) it holds there.
    Boilerplate: URIRef  # Text of a source that says nothing about its subject, such as a closing advertisement; it supports no claim.
    Claim: URIRef  # A named graph holding the triples that one statement of a source makes, described in the provenance graph by the sentence it is derived from, its modality and the agent it is attributed to.
    DevelopmentPlan: URIRef  # A government plan setting out how a country’s artificial-intelligence capabilities are to develop up to a horizon year, such as Russia’s AI development plan through 2030.
    Directive: URIRef  # An official instruction issued by a head of state or government to its administration.
    DiscussedAIInfrastructure: URIRef  # An AI infrastructure programme that is only on the agenda of discussions; nothing says it is decided or under way (not a bkg:InfrastructureProgramme).
    EconomicShare: URIRef  # The proportion of a larger economy that an actor’s economy represents, given as a value with a unit (e.g. percent).
    Economy: URIRef  # The economic system of a state, a group of states or the whole world.
    ExpansionMemberState: URIRef  # A state that joined a bloc when it expanded beyond its original composition. Defined: a state with an expansion membership.
    ExpansionMembership: URIRef  # A bloc membership gained when the bloc expanded. Defined: a bloc membership whose role is the expansion-member role.
    ExportControl: URIRef  # A policy instrument restricting the export of goods or technology, such as U.S. export controls on advanced semiconductors.
    Forecast: URIRef  # A statement of what may happen by a future horizon, with the quantity it expects; not a statement of fact.
    FoundingMemberState: URIRef  # A state that belonged to a bloc in its original composition. Defined: a state with a founding membership.
    FoundingMembership: URIRef  # A bloc membership held since the bloc’s original composition. Defined: a bloc membership whose role is the founding-member role.
    Group: URIRef  # An unnamed collective of people, organisations or states that a source speaks of as one actor, such as “analysts”, “Iranian officials” or “the West”.
    Heading: URIRef  # The title of a source or the heading of one of its sections.
    Hypothetical: URIRef  # Something a source speaks of only as proposed, forecast, under discussion or held in someone’s view, not as existing; it carries its status (bkg:status) and is never typed with the class of what it would be.
    InfrastructureProgramme: URIRef  # An effort to build or deploy artificial-intelligence infrastructure (computing, models, platforms) in places other than the providers’ own countries.
    InnovationCapacity: URIRef  # The ability of a state to produce new technology and know-how.
    JointDeclaration: URIRef  # An agreement in which the parties state a shared position or intent, such as the Russia–China joint declaration on AI collaboration.
    MemberState: URIRef  # A state that holds a membership of a bloc. Defined: inferred from the membership record, never asserted.
    MembershipRole: URIRef  # The capacity in which a state belongs to a bloc: as a founding member or as a member admitted in an expansion.
    Modality: URIRef  # The way a source puts a claim forward: asserted as fact, reported from others, forecast, proposed, or held as a view.
    MonetaryRange: URIRef  # An amount of money given as a range between a minimum and a maximum value, its unit (schema:unitCode) the ISO 4217 code of its currency.
    Objective: URIRef  # An aim an actor, plan, agreement or instrument is said to pursue, such as “promote a multipolar world order”.
    Person: URIRef  # An individual human being named in a source, such as Vladimir Putin.
    PolicyInstrument: URIRef  # A measure a government or group of governments uses to steer the behaviour of others: sanctions, export controls, directives.
    Proposal: URIRef  # A recommendation that an actor should or may need to do something; not a statement that it is done.
    ProposedAIAlliance: URIRef  # An AI alliance that a source recommends forming; it does not exist (not a bkg:AIAlliance).
    ProposedExportControl: URIRef  # An export control (or the extension of one) that a source recommends; it is not in force (not a bkg:ExportControl).
    Rivalry: URIRef  # A competition between actors for leadership in a domain, such as the AI rivalry between the United States and China.
    Sanctions: URIRef  # Economic or political penalties imposed by one or more states on another state or its actors.
    Sentence: URIRef  # A grammatical sentence of a source’s running text or of one of its list items.
    Source: URIRef  # A document from which the graph’s statements are taken: the article, or the reference notes for outside facts.
    State: URIRef  # A sovereign country acting in international affairs, such as Russia or Brazil.
    Status: URIRef  # Whether a thing a source speaks of exists or is only proposed, forecast, under discussion or held in a view.
    StrategicPartnershipAgreement: URIRef  # A treaty establishing a broad, long-term partnership between states, such as the Russia–Iran Comprehensive Strategic Partnership Agreement.
    StrategicPosition: URIRef  # A position, advantage or set of interests held by a state or group that others may challenge or oppose, such as US tech dominance or U.S. interests.
    Strategy: URIRef  # A course of action an actor pursues towards stated objectives, using partners or instruments as means.
    StudyGroup: URIRef  # A working body set up within an organisation and tasked with studying a subject and proposing frameworks or standards, such as the BRICS AI Study Group.
    Summit: URIRef  # A meeting of the heads of state or government of a bloc.
    Technology: URIRef  # A kind of technical product or capability that policy instruments may apply to, such as advanced semiconductors.
    TextSegment: URIRef  # A contiguous stretch of a source’s text (a sentence or a heading), identified by a text quote selector and a text position selector.
    Topic: URIRef  # A subject area that agreements, initiatives and actors are about, such as AI governance or AI regulation.
    Trend: URIRef  # The direction in which a rivalry, coalition or other situation is said to be changing.

    # Object properties
    addressedTo: URIRef  # The actor the proposal says should act.
    affiliatedWith: URIRef  # The state or bloc a group belongs to or works within, e.g. Iranian officials → Iran.
    announcedAt: URIRef  # The summit at which the membership, body or initiative was announced.
    announcedBy: URIRef  # The actor that announced the membership, body or initiative.
    announcedOn: URIRef  # The point in time at which the membership, body or initiative was announced.
    appliesTo: URIRef  # The kind of technology the policy instrument restricts.
    backedBy: URIRef  # An actor behind the thing: one that pursues, initiated, established, issued, updated or provides it. The parent of bkg:pursuedBy, bkg:initiatedBy, bkg:establishedBy, bkg:issuedBy, bkg:updatedBy and bkg:providedBy; never used for what is only proposed or discussed (see bkg:prospectiveBacker).
    basedIn: URIRef  # Where the members of a group are based: a state (“companies within BRICS countries” are based in each member state); unlike bkg:affiliatedWith, it says nothing of belonging to a bloc.
    challenges: URIRef  # A strategic position of another actor that the subject is contesting.
    challengesThrough: URIRef  # An activity (given as a topic) through which the actor challenges another’s strategic position (see bkg:challenges), as in “challenges U.S. interests through AI collaboration and sanctions circumvention”.
    coversTopic: URIRef  # A topic that an agreement, initiative or plan deals with.
    discusses: URIRef  # Something that is on the agenda of the actor’s discussions, without a decision being stated.
    emphasizesImportanceOf: URIRef  # A topic whose strategic importance the actor has emphasized.
    engagesIn: URIRef  # An activity (given as a topic) the actor carries out, e.g. AI collaboration or sanctions circumvention.
    establishedBy: URIRef  # The organisation that formally set up the body or initiative.
    extensionOf: URIRef  # The existing policy instrument that the hypothetical one would extend (as in “extend such controls to …”).
    forecastAmount: URIRef  # The monetary range the forecast expects.
    forecastFor: URIRef  # The economy the forecast is about.
    hasObjective: URIRef  # An aim the subject (an actor, strategy, plan, agreement, initiative, instrument or proposal) is said to pursue.
    headOfState: URIRef  # The person who is the state’s head of state (an outside fact, kept in the reference graph).
    heldBy: URIRef  # The state, bloc or group whose economy, innovation capacity, strategic position or plan this is.
    heldIn: URIRef  # The city where the summit took place.
    horizon: URIRef  # The point in time by which a forecast is expected to hold or up to which a plan runs.
    initiatedBy: URIRef  # The actor that led the creation of the initiative.
    initiativeOf: URIRef  # The bloc whose initiative this is, as the name “BRICS AI Alliance” makes the alliance BRICS’s; says nothing of who led its creation (see bkg:initiatedBy).
    intendedFor: URIRef  # The actors for whom the initiative is meant.
    issuedBy: URIRef  # The actor that issued, introduced or imposes a plan or policy instrument.
    leverages: URIRef  # A partner or bloc the strategy uses as a means to its objectives.
    modality: URIRef  # How the source puts the claim forward (asserted, reported, forecast, proposal, viewpoint).
    moreThan: URIRef  # A kind of grouping the bloc has evolved beyond being only: it still is one, and more (“more than a political alliance”).
    offersCooperationTo: URIRef  # An actor to which the bloc offers an opportunity for international cooperation.
    opposes: URIRef  # A strategic position of another actor that the subject is opposed to.
    originatesFrom: URIRef  # The country or group of countries the AI models come from.
    partOfStrategy: URIRef  # A broader strategy or plan of the same actor that this course of action is one part of.
    party: URIRef  # A state that is a party to the agreement.
    prioritizes: URIRef  # A topic the actor has made a priority.
    proposes: URIRef  # The alliance, instrument or course of action the proposal recommends creating.
    prospectiveBacker: URIRef  # An actor that would be behind the hypothetical thing (form, issue or provide it) if it came about; deliberately not a sub-property of bkg:backedBy.
    prospectiveMember: URIRef  # An actor that would be a member of the hypothetical alliance if it were formed.
    prospectiveTarget: URIRef  # An actor the hypothetical policy instrument would be aimed at if it came about; not bkg:targets, which says an instrument in force is aimed at it.
    providedBy: URIRef  # An actor whose infrastructure or technology the initiative deploys (for a programme only under discussion, see bkg:prospectiveBacker).
    pursuedBy: URIRef  # The actor whose strategy this is.
    rival: URIRef  # One of the actors competing in the rivalry.
    seeksKeyRoleIn: URIRef  # A topic in which the actor is positioning itself as a key player.
    shareOf: URIRef  # The actor whose economic weight the share measures.
    shareOfTotal: URIRef  # The whole economy the share is a proportion of (e.g. the global economy).
    shiftingAwayFrom: URIRef  # AI models the actor is moving away from using.
    shiftingTowards: URIRef  # AI models the actor is moving towards using instead.
    signedAt: URIRef  # The city where the agreement was signed.
    signedBy: URIRef  # A party that has signed the agreement.
    signedOn: URIRef  # The point in time (a day) at which the agreement was signed.
    since: URIRef  # The point in time from which the subject has been in effect.
    status: URIRef  # Whether the thing is only proposed, forecast, under discussion or held in a view; stated on the thing itself, so no join with a claim’s provenance is needed to see it.
    strengtheningTiesWith: URIRef  # An actor with which the subject is strengthening its political or economic ties.
    targets: URIRef  # The actor whose behaviour or capabilities the policy instrument is aimed at.
    trend: URIRef  # The direction in which the subject is said to be changing (e.g. intensifying, growing).
    updatedBy: URIRef  # An actor that has revised the plan.
    viewRelation: URIRef  # A relation between two things that holds only in the view of the agent the claim stating it is attributed to; the parent of the bkg:viewedAs… properties, used only in claims with the viewpoint modality.
    viewedAsBattlegroundIn: URIRef  # A competition in which, in the view of the claim’s holder, the topic is (becoming) a critical area of contest.
    viewedAsCornerstoneOf: URIRef  # A strategy or plan that, in the view of the claim’s holder, rests on the topic as its cornerstone.
    viewedAsCounteracting: URIRef  # A policy instrument whose effect, in the view of the claim’s holder, the subject serves to counter.
    weakened: URIRef  # An economy or capacity that the policy instrument has weakened.
    wikidataItem: URIRef  # The Wikidata item (http://www.wikidata.org/entity/Q…) that describes the same thing; a weak identity link, unlike owl:sameAs.

    # Datatype properties
    isApproximate: URIRef  # True when the source gives the value as an approximation (“about 35%”).
    iso3166Alpha2: URIRef  # The state’s two-letter ISO 3166-1 country code, e.g. “RU”.
    iso3166Alpha3: URIRef  # The state’s three-letter ISO 3166-1 country code, e.g. “RUS”.
    position: URIRef  # The ordinal number of the segment in its source, counting from 1.

    # Individuals: roles, modalities, statuses, trends, concept schemes
    blocCharacterScheme: URIRef  # Kinds of grouping a bloc can be said to be, or to have grown beyond.
    characterPoliticalAlliance: URIRef  # A grouping of states for political cooperation only.
    modalityAsserted: URIRef  # The source states the claim as a fact in its own voice.
    modalityForecast: URIRef  # The claim is about what could happen by a future date, not about what is the case.
    modalityProposal: URIRef  # The claim recommends what an actor should (or may need to) do; it does not say that it is done.
    modalityReported: URIRef  # The source passes on what a third party (e.g. analysts) reports, without vouching for it itself.
    modalityScheme: URIRef  # The ways in which the source puts its claims forward.
    modalityViewpoint: URIRef  # The claim is an opinion or assessment held by the agent it is attributed to (a person, a group, or the author).
    objectiveScheme: URIRef  # The aims the article ascribes to actors, plans, agreements, initiatives and proposals; its concepts are introduced by the claims that mention them.
    roleExpansionMember: URIRef  # The role of a state admitted to the bloc when it expanded beyond its original composition.
    roleFoundingMember: URIRef  # The role of a state that belonged to the bloc in its original composition.
    statusForecast: URIRef  # Expected as a possibility by a future date; not a present fact.
    statusProposed: URIRef  # Recommended by the source or someone it cites; not (yet) done or in force.
    statusScheme: URIRef  # The ways a thing a source speaks of can fall short of existing.
    statusUnderDiscussion: URIRef  # On the agenda of discussions, without a decision being stated.
    statusViewpoint: URIRef  # Exists only in the view of the agent who holds it.
    topicScheme: URIRef  # The subject areas the article’s claims are about; its concepts are introduced by the claims that mention them.
    trendGrowing: URIRef  # Increasing in size or weight, as a coalition.
    trendIntensifying: URIRef  # Becoming stronger or fiercer, as a rivalry.
    trendScheme: URIRef  # Directions of change the source ascribes to situations and coalitions.
