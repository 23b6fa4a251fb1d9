/// The source files of the directory, as text, and how they become municipalities.
public struct DirectoryDataset: Sendable {
    public static let fileNames = [
        "dk_municipalities.csv", "dk_municipality_adjacency.csv",
        "se_municipalities.csv", "se_municipality_adjacency.csv", "se_kolada_similar_grundskola_2024.csv",
        "no_municipalities_2020.csv", "fi_municipalities_2020.csv", "regions.csv",
    ]

    /// File name → file text.
    public var files: [String: String]

    public init(files: [String: String]) {
        self.files = files
    }

    /// Every municipality with its neighbours and similar municipalities, sorted by country and code.
    /// Throws a message naming the file and line of the first bad record.
    public func municipalities() throws -> [Municipality] {
        var result: [Municipality] = []
        let regionNames = try table("regions.csv").records.reduce(into: [String: String]()) {
            $0["\($1["country"])/\($1["region_code"])"] = $1["region_name"]
        }

        try within("dk_municipalities.csv") { table in
            try table.require(columns: [
                "kommunekode", "name", "region_code", "region_name", "population", "population_date",
                "area_km2", "popweighted_lat", "popweighted_lon", "dst_kommunegruppe_code", "dst_kommunegruppe",
            ])
            for r in table.records {
                result.append(
                    Municipality(
                        country: .dk, code: try r.text("kommunekode"), name: try r.text("name"),
                        regionCode: try r.text("region_code"), regionName: try r.text("region_name"),
                        population: try r.int("population"), populationDate: try r.text("population_date"),
                        areaKm2: try r.double("area_km2"), latitude: try r.double("popweighted_lat"),
                        longitude: try r.double("popweighted_lon"),
                        groupCode: r["dst_kommunegruppe_code"], groupName: r["dst_kommunegruppe"]))
            }
        }
        try within("se_municipalities.csv") { table in
            try table.require(columns: [
                "kommunkod", "name", "lan_code", "lan_name", "population_eurostat_lau2020", "population_date",
                "area_km2", "popweighted_lat", "popweighted_lon", "skr_kommungrupp",
            ])
            for r in table.records {
                let group = r["skr_kommungrupp"]
                result.append(
                    Municipality(
                        country: .se, code: try r.text("kommunkod"), name: try r.text("name"),
                        regionCode: try r.text("lan_code"), regionName: try r.text("lan_name"),
                        population: try r.int("population_eurostat_lau2020"),
                        populationDate: try r.text("population_date"),
                        areaKm2: try r.double("area_km2"), latitude: try r.double("popweighted_lat"),
                        longitude: try r.double("popweighted_lon"),
                        groupCode: group.isEmpty ? nil : group, groupName: group.isEmpty ? nil : group))
            }
        }
        // Norway and Finland come in the same shape; only the names of the code and region columns differ.
        for (country, file, codeColumn, regionColumn) in [
            (Country.no, "no_municipalities_2020.csv", "kommunenummer", "fylkesnummer"),
            (Country.fi, "fi_municipalities_2020.csv", "kuntanumero", "nuts3"),
        ] {
            try within(file) { table in
                try table.require(columns: [
                    codeColumn, "name", regionColumn, "population_eurostat_lau2020", "population_date",
                    "area_km2", "popweighted_lat", "popweighted_lon",
                ])
                for r in table.records {
                    let region = try r.text(regionColumn)
                    result.append(
                        Municipality(
                            country: country, code: try r.text(codeColumn), name: try r.text("name"),
                            regionCode: region, regionName: regionNames["\(country.rawValue)/\(region)"] ?? region,
                            population: try r.int("population_eurostat_lau2020"),
                            populationDate: try r.text("population_date"),
                            areaKm2: try r.double("area_km2"), latitude: try r.double("popweighted_lat"),
                            longitude: try r.double("popweighted_lon")))
                }
            }
        }

        var position: [MunicipalityKey: Int] = [:]
        for (i, m) in result.enumerated() {
            if position[m.key] != nil {
                throw SamradError(.invalidInput, "directory.duplicate_code", [m.key.description])
            }
            position[m.key] = i
        }
        func link(
            _ file: String, _ country: Country, _ a: String, _ b: String, symmetric: Bool,
            into path: WritableKeyPath<Municipality, [String]>
        ) throws {
            try within(file) { table in
                try table.require(columns: [a, b])
                for r in table.records {
                    let from = try r.text(a), to = try r.text(b)
                    guard let i = position[MunicipalityKey(country, from)] else {
                        throw r.lineError("directory.unknown_code", a)
                    }
                    guard let j = position[MunicipalityKey(country, to)] else {
                        throw r.lineError("directory.unknown_code", b)
                    }
                    if !result[i][keyPath: path].contains(to) { result[i][keyPath: path].append(to) }
                    if symmetric, !result[j][keyPath: path].contains(from) { result[j][keyPath: path].append(from) }
                }
            }
        }
        try link(
            "dk_municipality_adjacency.csv", .dk, "kommunekode_a", "kommunekode_b", symmetric: true, into: \.neighbours)
        try link(
            "se_municipality_adjacency.csv", .se, "kommunkod_a", "kommunkod_b", symmetric: true, into: \.neighbours)
        try link(
            "se_kolada_similar_grundskola_2024.csv", .se, "kommunkod", "similar_kommunkod", symmetric: false,
            into: \.similar)
        for i in result.indices {
            result[i].neighbours.sort()
        }
        return result.sorted { $0.key < $1.key }
    }

    private func table(_ name: String) throws -> CSVTable {
        guard let text = files[name] else { throw SamradError(.invalidInput, "directory.missing_file", [name]) }
        do { return try CSVTable(parsing: text) } catch let error as SamradError {
            throw SamradError(
                error.kind, "directory.bad_file", [name, String(describing: error.arguments.first ?? "")],
                fieldErrors: error.fieldErrors)
        }
    }

    /// Runs `body` on a file's table and names the file in any error it throws.
    private func within(_ name: String, _ body: (CSVTable) throws -> Void) throws {
        let table = try table(name)
        do { try body(table) } catch let error as SamradError {
            let field = error.fieldErrors.first
            throw SamradError(
                .invalidInput, "directory.bad_record",
                [
                    name, field?.arguments.first ?? "",
                    field?.arguments.dropFirst().first ?? error.arguments.first ?? "",
                ],
                fieldErrors: error.fieldErrors.map {
                    FieldError(field: "\(name) \($0.field)", $0.messageKey, $0.arguments)
                })
        }
    }
}
