import Fluent
import Vapor

/// E-invoices for paid tracks: the seller's details kept per organisation, and invoices issued per
/// registered municipality, numbered once and written as OIOUBL (Denmark) or Peppol BIS Billing 3.
struct InvoicingFeature: Feature {
    var routes: [any RouteCollection] { [SellerDetailsPages(), EInvoices()] }
    var migrations: [any Migration] { [M037EInvoices()] }
}
