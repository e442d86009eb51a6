import EventStore
import ProjectionRuntime
import ProjectionSQL

/// The platform's read models: each one's newest SQL definition (`Projections/sql/NAME.vN.sql`) with its
/// handler.
public enum ReadModels {
    /// Every read model; a definition that does not load is a build defect (a test loads them all), so it
    /// stops the process with the reason.
    public static let platform: [Projection] = {
        do {
            return try all()
        } catch {
            fatalError("the read models' SQL definitions do not load: \(error)")
        }
    }()

    /// Every read model, in the order status lists them.
    public static func all() throws -> [Projection] {
        let definitions = try latestDefinitions()
        func projection(_ name: String, _ handler: any ProjectionHandler) throws -> Projection {
            guard let definition = definitions[name] else {
                throw ProjectionDefinition.Invalid(description: "no definition Projections/sql/\(name).vN.sql")
            }
            return Projection(definition: definition, handler: handler)
        }
        return [
            try projection(StockLevels.name, StockLevels()),
            try projection(BudgetBurn.name, BudgetBurn()),
            try projection(CampaignDashboard.name, CampaignDashboard()),
            try projection(Alerts.name, Alerts()),
            try projection(CustomerProfiles.name, CustomerProfiles()),
            try projection(Sales.name, Sales()),
            try projection(Reconciliation.name, Reconciliation()),
            try projection(Uplift.name, Uplift()),
        ]
    }

    /// The highest version of each definition file.
    static func latestDefinitions() throws -> [String: ProjectionDefinition] {
        var latest: [String: ProjectionDefinition] = [:]
        for (file, text) in try ProjectionSQL.files() {
            let definition = try ProjectionDefinition(parsing: text, file: file)
            guard file == "\(definition.name).v\(definition.version).sql" else {
                throw ProjectionDefinition.Invalid(
                    description: "\(file): the header says \(definition.name) v\(definition.version); rename the file")
            }
            if (latest[definition.name]?.version ?? 0) < definition.version { latest[definition.name] = definition }
        }
        return latest
    }
}
