import Foundation

/// Who does what with a survey of many. Its owners (`QuestionnairePolicy.mayBuild`: a collaboration's
/// organisers, or the coordinators of the municipality whose own survey it is) build it and follow how
/// many answered; class codes for a school are made by its owners and by the people of the school's municipality (a
/// teacher hands them out); anyone holding a one-time link or a class code answers once, without an
/// account. Who answered is shown to organisers only in a confidential survey.
public enum SurveyPolicy {
    public static func mayMakeClassCode(
        _ actor: Actor, owner: QuestionnaireOwner, municipality: MunicipalityKey
    ) -> Bool {
        QuestionnairePolicy.mayBuild(actor, owner: owner) || actor.belongs(to: municipality)
    }

    public static func maySeeWhoAnswered(
        _ actor: Actor, owner: QuestionnaireOwner, anonymity: SurveyAnonymity
    ) -> Bool {
        anonymity == .confidential && QuestionnairePolicy.mayBuild(actor, owner: owner)
    }

    /// A meeting's evaluation: its organisers, and the coordinators of the municipality that hosted it.
    public static func mayReadEvaluation(_ actor: Actor, organiserID: UUID, host: MunicipalityKey?) -> Bool {
        QuestionnairePolicy.mayBuild(actor, owner: .organiser(organiserID)) || actor.coordinates(host)
    }

    /// A municipality's own surveys are listed for its people; drafts only for those who build them.
    public static func mayListOwn(_ actor: Actor, municipality: MunicipalityKey) -> Bool {
        actor.belongs(to: municipality) || QuestionnairePolicy.mayBuild(actor, owner: .municipality(municipality))
    }

    /// Whether a meeting sends its evaluation when it ends: the collaboration's organisers decide.
    public static func mayChooseEvaluation(_ actor: Actor, organiserID: UUID) -> Bool {
        QuestionnairePolicy.mayBuild(actor, owner: .organiser(organiserID))
    }

    /// The smallest group a survey's results show. Where those asked may read the results themselves
    /// (staff, a list of addresses, a meeting's participants), one more than the survey's threshold:
    /// a reader who answered and takes their own answer away still faces at least the threshold.
    /// Pupils do not read results; their teachers and administrations do.
    public static func shownFrom(threshold: Int, audience: QuestionnaireAudience) -> Int {
        audience.usesLinks ? threshold + 1 : threshold
    }

    /// A class code takes at most a large class's answers, so one passed on cannot fill a school.
    public static let classSize = 1...40
}
