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
    case consultant
    case researcher
    case other
}
