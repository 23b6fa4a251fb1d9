/// What a person does, as collaborations ask for it in their seats and target groups.
public enum Position: String, CaseIterable, Codable, Sendable {
    case committeeChair = "committee_chair"
    case committeeMember = "committee_member"
    case mayor
    case educationDirector = "education_director"
    case schoolChief = "school_chief"
    case administration
    case schoolLeader = "school_leader"
    case teacher
    /// The head of the municipality's day care (dagtilbudschef, chef för förskolan).
    case dayCareChief = "day_care_chief"
    /// The leader of a day-care unit (dagtilbudsleder, rektor för förskola).
    case dayCareLeader = "day_care_leader"
    /// A pedagogue in day care (pædagog, förskollärare).
    case pedagogue
    case consultant
    case researcher
    case other
}
