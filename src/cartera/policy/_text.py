"""English and Spanish wording of the policy outputs: reasons, segment names, answers.

Plain dictionaries keep the two languages side by side, so a missing key shows in
review; the strings are short and formatted with :meth:`str.format`.
"""

from __future__ import annotations

import math

from cartera.errors import ConfigError

LANGS = ("en", "es")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        # Reasons: one short clause each, money formatted by format_money.
        "reason_growth": "expected future margin {value}",
        "reason_recent_spend": "expected margin {value} from recent spend, last "
        "purchase {days}",
        "days_ago_one": "1 day ago",
        "days_ago_many": "{n} days ago",
        "days_ago_none": "date unknown",
        "reason_collect": "{value} overdue",
        "reason_collect_old": "{value} over {days} days past due",
        "reason_late": "likely to pay late (p_late {p})",
        "reason_due_soon": "{value} falls due and may be paid late",
        "reason_alive": "likely to buy again (P(alive) {p})",
        "reason_lapsing": "may have stopped buying (P(alive) {p})",
        "reason_prospect": "prospect: {p} chance to convert, first-year value {value}",
        "reason_prospect_unvalued": "prospect: {p} chance to convert, first-year "
        "value unknown (no customer purchases)",
        "reason_disputes": "{p} of invoices disputed",
        "reason_none": "no money at stake found",
        # RFM groups.
        "rfm_champions": "champions",
        "rfm_loyal": "loyal",
        "rfm_new": "new",
        "rfm_promising": "promising",
        "rfm_at_risk": "at risk",
        "rfm_hibernating": "hibernating",
        "rfm_no_purchases": "no purchases",
        "rfm_desc_champions": "bought recently, often and for much",
        "rfm_desc_loyal": "buy regularly and fairly recently",
        "rfm_desc_new": "bought recently for the first time",
        "rfm_desc_promising": "bought recently, not yet often or for much",
        "rfm_desc_at_risk": "bought often or for much, but not recently",
        "rfm_desc_hibernating": "bought little, long ago",
        "rfm_desc_no_purchases": "no purchase history",
        # Clusters and attributes.
        "cluster_name": "value band {i} of {k}",
        "cluster_desc": "mean {traits}",
        # Names of the clustering features in a cluster description.
        "trait_clv": "clv",
        "trait_expected_spend": "expected_spend",
        "trait_monetary": "monetary",
        "trait_frequency": "frequency",
        "trait_expected_purchases": "expected_purchases",
        "trait_n_invoices": "n_invoices",
        "trait_p_late": "p_late",
        "trait_share_paid_late": "share_paid_late",
        "trait_p_alive": "p_alive",
        "trait_p_convert": "p_convert",
        "attr_all": "all accounts",
        "attr_desc": "accounts with {label}",
        "unknown": "unknown",
        "potential_missing": "potential spend not estimated (no value model)",
        # Answers.
        "answers_title": "The four answers",
        "q_revenue": "1. Top accounts by revenue potential",
        "q_convert": "2. Most likely to convert (buy again or pay)",
        "q_work_first": "3. Who to work first this week",
        "q_work_first_collect": "Collection actions this week",
        "q_segments": "4. Potential spend per segment",
        "no_rows": "None.",
        "kind_buy_again": "buy again",
        "kind_pay": "pay on time",
        "kind_convert": "become a customer",
        "col_rank": "rank",
        "col_account": "account",
        "col_tier": "tier",
        "col_score": "priority score",
        "col_value": "value",
        "col_interval": "interval",
        "col_kind": "converts to",
        "col_probability": "probability",
        "col_reasons": "reasons",
        "col_invoice": "invoice",
        "col_amount": "open amount (reporting currency)",
        "col_days": "days past due",
        "col_action": "action",
        "col_expected": "expected cash (reporting currency)",
        "col_kind_segment": "kind",
        "col_segment": "segment",
        "col_accounts": "accounts",
        "col_potential": "potential spend",
        "value_basis_clv": (
            "Value is the customer lifetime value (CLV) over the horizon."
        ),
        "value_basis_spend": "Value is expected spend over the horizon.",
        "value_basis_monetary": "No value model ran: value is past spend.",
        "tier_sizes": "Tiers: {n1} accounts in tier 1, {n2} in tier 2, {n3} in tier 3.",
    },
    "es": {
        "reason_growth": "margen futuro esperado {value}",
        "reason_recent_spend": "margen esperado {value} por gasto reciente, última "
        "compra {days}",
        "days_ago_one": "hace 1 día",
        "days_ago_many": "hace {n} días",
        "days_ago_none": "fecha desconocida",
        "reason_collect": "{value} vencido",
        "reason_collect_old": "{value} con más de {days} días de vencimiento",
        "reason_late": "probable pago tardío (p_late {p})",
        "reason_due_soon": "{value} por vencer con riesgo de pago tardío",
        "reason_alive": "probable nueva compra (P(activo) {p})",
        "reason_lapsing": "puede haber dejado de comprar (P(activo) {p})",
        "reason_prospect": (
            "prospecto: {p} de probabilidad de conversión, valor del primer año {value}"
        ),
        "reason_prospect_unvalued": (
            "prospecto: {p} de probabilidad de conversión, valor del primer año "
            "desconocido (sin compras de clientes)"
        ),
        "reason_disputes": "{p} de facturas en disputa",
        "reason_none": "sin dinero en juego",
        "rfm_champions": "campeones",
        "rfm_loyal": "leales",
        "rfm_new": "nuevos",
        "rfm_promising": "prometedores",
        "rfm_at_risk": "en riesgo",
        "rfm_hibernating": "hibernando",
        "rfm_no_purchases": "sin compras",
        "rfm_desc_champions": "compraron hace poco, a menudo y por mucho",
        "rfm_desc_loyal": "compran con regularidad y hace poco",
        "rfm_desc_new": "compraron hace poco por primera vez",
        "rfm_desc_promising": "compraron hace poco, aún no a menudo ni por mucho",
        "rfm_desc_at_risk": "compraron a menudo o por mucho, pero no hace poco",
        "rfm_desc_hibernating": "compraron poco y hace tiempo",
        "rfm_desc_no_purchases": "sin historial de compras",
        "cluster_name": "banda de valor {i} de {k}",
        "cluster_desc": "medias: {traits}",
        "trait_clv": "CLV",
        "trait_expected_spend": "gasto esperado",
        "trait_monetary": "compras netas",
        "trait_frequency": "compras",
        "trait_expected_purchases": "compras esperadas",
        "trait_n_invoices": "facturas",
        "trait_p_late": "P(retraso)",
        "trait_share_paid_late": "proporción pagada tarde",
        "trait_p_alive": "P(activo)",
        "trait_p_convert": "P(conversión)",
        "attr_all": "todas las cuentas",
        "attr_desc": "cuentas con {label}",
        "unknown": "desconocido",
        "potential_missing": "gasto potencial no estimado (sin modelo de valor)",
        "answers_title": "Las cuatro respuestas",
        "q_revenue": "1. Cuentas con mayor potencial de ingresos",
        "q_convert": "2. Más probables de convertir (volver a comprar o pagar)",
        "q_work_first": "3. A quién trabajar primero esta semana",
        "q_work_first_collect": "Acciones de cobro de esta semana",
        "q_segments": "4. Gasto potencial por segmento",
        "no_rows": "Ninguno.",
        "kind_buy_again": "volver a comprar",
        "kind_pay": "pagar a tiempo",
        "kind_convert": "hacerse cliente",
        "col_rank": "posición",
        "col_account": "cuenta",
        "col_tier": "nivel",
        "col_score": "puntuación de prioridad",
        "col_value": "valor",
        "col_interval": "intervalo",
        "col_kind": "convierte a",
        "col_probability": "probabilidad",
        "col_reasons": "motivos",
        "col_invoice": "factura",
        "col_amount": "importe pendiente (moneda de informe)",
        "col_days": "días de vencimiento",
        "col_action": "acción",
        "col_expected": "cobro esperado (moneda de informe)",
        "col_kind_segment": "tipo",
        "col_segment": "segmento",
        "col_accounts": "cuentas",
        "col_potential": "gasto potencial",
        "value_basis_clv": (
            "El valor es el valor de vida del cliente (CLV) en el horizonte."
        ),
        "value_basis_spend": "El valor es el gasto esperado en el horizonte.",
        "value_basis_monetary": (
            "No se ajustó un modelo de valor: el valor es el gasto pasado."
        ),
        "tier_sizes": (
            "Niveles: {n1} cuentas en el nivel 1, {n2} en el nivel 2 "
            "y {n3} en el nivel 3."
        ),
    },
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise ConfigError."""
    if lang not in TEXT:
        raise ConfigError(
            f"language {lang!r} is not supported",
            hint=f"use one of {', '.join(LANGS)}",
        )
    return lang


def text(lang: str, key: str, **values: object) -> str:
    """Return the string ``key`` in ``lang`` with ``values`` filled in."""
    return TEXT[lang][key].format(**values)


def format_money(value: float, lang: str, minor_units: int = 2) -> str:
    """Format an amount with the thousands and decimal marks of ``lang``.

    English writes ``1,234.50`` and Spanish ``1.234,50``; NaN becomes ``-``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    plain = f"{value:,.{minor_units}f}"
    if lang == "es":
        return plain.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return plain


def format_share(value: float, lang: str) -> str:
    """Format a probability or share in ``[0, 1]`` as a whole percentage."""
    if math.isnan(value):
        return "-"
    sep = " " if lang == "es" else ""
    return f"{100 * value:.0f}{sep}%"
