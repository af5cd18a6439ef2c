//! Error, warning and info codes of the E-POSTBUSINESS API (reference §6) with the texts the fake
//! puts into `description`.

/// Known codes and the description the fake sends for them. Descriptions may get details after a
/// colon (as the real API does), so clients must match on the code.
const CODES: &[(&str, &str)] = &[
    ("E001", "Ungültige Anmeldedaten"),
    ("E002", "Ungültige VendorSubID"),
    (
        "E003",
        "Zu viele SMS-Anforderungen: Kennung für 15 Minuten gesperrt",
    ),
    ("E004", "EKP durch die Deutsche Post gesperrt"),
    ("E101", "Ungültiges Token – Abgelaufen"),
    ("E201", "Keine Sendung zum angegebenen Kriterium gefunden"),
    ("E203", "Adress-Metadaten: Abweichungen festgestellt"),
    ("E301", "Keine gültige PDF-Datei"),
    ("E302", "Verletzung des DVF-Sperrbereichs"),
    ("E303", "PDF-Datei größer als 20 MB"),
    ("E304", "Mehr als 94 Seiten"),
    ("E305", "Ungültiges Land"),
    ("E306", "Ungültiges Format der Empfängeradresse"),
    ("E307", "Erste Seite im Querformat"),
    ("E308", "Kein DIN-A4-Format"),
    ("E309", "Doppelter Dateiname"),
    ("E311", "Einschreiben an eine Auslandsadresse nicht möglich"),
    (
        "E312",
        "Duplexdruck in Verbindung mit Einschreiben nicht möglich",
    ),
    ("E313", "Letter-Schema verletzt"),
    ("E314", "Deckblatt zu groß"),
    ("E315", "Verarbeitungsfehler"),
    ("E316", "Upload-Fehler"),
    ("E317", "Ungültiger Wert für registeredLetter"),
    ("E318", "Abgelehnt durch das Druckzentrum"),
    ("E319", "EKP ist nicht für das Druckzentrum freigegeben"),
    ("E320", "Tägliches Maximum an Testsendungen erreicht"),
    (
        "E322",
        "Statusabfrage zu häufig: höchstens eine Abfrage alle 5 Sekunden",
    ),
    ("E323", "Empfängerbereich leer"),
    (
        "E324",
        "Duplikatsprüfung: Diese Sendung wurde bereits innerhalb der letzten Stunde über LetterID",
    ),
    ("E333", "Senderadresse auf Dokument nicht vorhanden"),
    ("E399", "Allgemeiner Fehler"),
    ("E501", "API-Status: Inaktiv"),
    ("E601", "PlugIn-Fehler"),
    ("E700", "Sendung abgebrochen"),
    ("E900", "Unbekannter Fehler"),
    ("W203", "Adress-Metadaten: Abweichungen festgestellt"),
    (
        "W220",
        "Rückschein-Adressfelder werden ignoriert: die Absenderzeile im Fenster gilt",
    ),
    ("W501", "API-Status: Wartungsankündigung"),
    ("I501", "API-Status: OK"),
    ("I701", "Sendungsverfolgung"),
];

/// The `'static` spelling of a known code (lookup ignores ASCII case), or `None`.
pub(crate) fn known(code: &str) -> Option<&'static str> {
    CODES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|(c, _)| *c)
}

/// The description the fake uses for `code`.
pub(crate) fn describe(code: &str) -> &'static str {
    CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, d)| *d)
        .unwrap_or("Fehler (vom Fake-Server ausgelöst)")
}

/// `level` of an Error object, derived from the code's first letter.
pub(crate) fn level(code: &str) -> &'static str {
    match code.as_bytes().first() {
        Some(b'I') => "Info",
        Some(b'W') => "Warning",
        _ => "Error",
    }
}
