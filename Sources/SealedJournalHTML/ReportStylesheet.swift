/// The page's only stylesheet: system fonts, no URLs, light and dark schemes (WCAG AA text
/// contrast in both), and a print form for A4 and Letter (light, page breaks between sections).
enum ReportStylesheet {
    static let css: StaticString = """
    :root{color-scheme:light dark;--bg:#fff;--fg:#111827;--muted:#4b5563;--line:#d1d5db;--grid:#e5e7eb;--panel:#f6f7f9;\
    --accent:#1e3a8a;--mood:#1d4ed8;--craving:#b45309;--sober-bg:#d1fae5;--sober-fg:#064e3b;--hard-bg:#fde68a;--hard-fg:#713f12;\
    --used-bg:#fecaca;--used-fg:#7f1d1d;--missed-bg:#fff;--missed-fg:#374151;--future-fg:#4b5563;--band-missed:#9ca3af;\
    --band-future:#e5e7eb;--notice-bg:#fff7ed;--notice-line:#c2410c;--late-bg:#fef3c7;--late-fg:#78350f;\
    --mk-aa:#1d4ed8;--mk-na:#0f766e;--mk-smart:#7c3aed;--mk-caduceus:#be185d;--mk-therapy:#b45309;--mk-peer:#15803d;\
    --mk-other:#4b5563;--mk-unspecified:#9ca3af;--med-taken:#15803d;--med-missed:#b91c1c;--med-none:#d1d5db;--sleep:#4f46e5;--sleep-short:#d97706}
    @media (prefers-color-scheme:dark){:root{--bg:#0f172a;--fg:#e5e7eb;--muted:#a3acb9;--line:#334155;--grid:#1e293b;\
    --panel:#162033;--accent:#93c5fd;--mood:#60a5fa;--craving:#fbbf24;--sober-bg:#064e3b;--sober-fg:#d1fae5;--hard-bg:#713f12;\
    --hard-fg:#fef3c7;--used-bg:#7f1d1d;--used-fg:#fee2e2;--missed-bg:#0f172a;--missed-fg:#e5e7eb;--future-fg:#a3acb9;\
    --band-missed:#64748b;--band-future:#1e293b;--notice-bg:#2a1a0c;--notice-line:#fb923c;--late-bg:#713f12;--late-fg:#fef3c7;\
    --mk-aa:#60a5fa;--mk-na:#2dd4bf;--mk-smart:#a78bfa;--mk-caduceus:#f472b6;--mk-therapy:#fbbf24;--mk-peer:#4ade80;\
    --mk-other:#cbd5e1;--mk-unspecified:#64748b;--med-taken:#22c55e;--med-missed:#f87171;--med-none:#475569;--sleep:#818cf8;\
    --sleep-short:#fbbf24}}
    *{box-sizing:border-box}
    html{background:var(--bg);color:var(--fg)}
    body{margin:0 auto;max-width:980px;padding:32px 28px 48px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,\
    "Helvetica Neue",Arial,sans-serif;font-variant-numeric:tabular-nums}
    h1{font-size:28px;line-height:1.2;margin:4px 0 16px;letter-spacing:-.01em}
    h2{font-size:20px;margin:0 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}
    h3{font-size:15px;margin:16px 0 6px}
    p{margin:6px 0}
    .eyebrow{color:var(--muted);text-transform:uppercase;letter-spacing:.08em;font-size:12px;font-weight:600;margin:0}
    section{margin-top:36px}
    .facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0;font-size:14px}
    .facts dt{color:var(--muted)}
    .facts dd{margin:0;overflow-wrap:anywhere}
    code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace;font-size:13px}
    .notice{border-left:4px solid var(--notice-line);background:var(--notice-bg);padding:10px 14px;margin:14px 0 18px;\
    white-space:pre-wrap;border-radius:4px}
    .notice strong{display:block;margin-bottom:2px}
    .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:10px;margin:0;padding:0;list-style:none}
    .tile{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
    .tile .value{font-size:26px;font-weight:700;line-height:1.1;display:block}
    .tile .label{color:var(--muted);font-size:13px}
    .tile.good .value{color:var(--sober-fg)}
    .tile.warn .value{color:var(--hard-fg)}
    .tile.bad .value{color:var(--used-fg)}
    .rule{color:var(--muted);font-size:13px;margin-top:10px}
    .months{display:flex;flex-wrap:wrap;gap:18px 24px}
    .month{break-inside:avoid}
    .month h3{margin:0 0 4px}
    .cal{display:grid;grid-template-columns:repeat(7,38px);gap:3px}
    .cal .wd{font-size:11px;color:var(--muted);text-align:center}
    .cell{height:38px;border-radius:5px;font-size:12px;line-height:1;padding:4px;display:flex;flex-direction:column;\
    justify-content:space-between;border:1px solid transparent}
    .cell .n{font-weight:600}
    .cell .s{font-size:13px;text-align:right;font-weight:700}
    .c-sober{background:var(--sober-bg);color:var(--sober-fg)}
    .c-hard-day{background:var(--hard-bg);color:var(--hard-fg)}
    .c-used{background:var(--used-bg);color:var(--used-fg)}
    .c-missed{background:var(--missed-bg);color:var(--missed-fg);border:1.5px dashed var(--missed-fg)}
    .c-pending{background:var(--missed-bg);color:var(--missed-fg);border:1.5px solid var(--accent)}
    .c-future{background:transparent;color:var(--future-fg);border:1px solid var(--grid)}
    .c-outside{visibility:hidden}
    .legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:13px;color:var(--muted);margin:10px 0 0;padding:0;list-style:none}
    .legend li{display:flex;align-items:center;gap:6px}
    .sw{display:inline-block;width:14px;height:14px;border-radius:3px;flex:none}
    .sw.line{height:0;border-top:3px solid;border-radius:0;width:22px}
    .sw.dashed{border-top-style:dashed}
    figure{margin:18px 0 0;break-inside:avoid}
    figcaption{font-weight:600;margin-bottom:4px}
    .chart{width:100%;height:auto;display:block}
    .chart .grid{stroke:var(--grid);stroke-width:1}
    .chart .axis{stroke:var(--muted);stroke-width:1}
    .chart .tick{fill:var(--muted);font-size:11px;font-family:inherit}
    .chart .band-missed{fill:var(--band-missed);opacity:.22}
    .chart .band-future{fill:var(--band-future);opacity:.6}
    .chart .line{fill:none;stroke-width:2.4;stroke-linejoin:round;stroke-linecap:round}
    .chart .line-mood{stroke:var(--mood)}
    .chart .line-craving{stroke:var(--craving);stroke-dasharray:6 4}
    .chart .line.faint{stroke-width:1;opacity:.35;stroke-dasharray:none}
    .chart .line.average{stroke-width:2.8}
    .chart .dot-mood{fill:var(--mood)}
    .chart .dot-craving{fill:var(--bg);stroke:var(--craving);stroke-width:2}
    .chart .bar-sleep{fill:var(--sleep)}
    .chart .bar-sleep-short{fill:var(--sleep-short)}
    .chart .guide{stroke:var(--muted);stroke-dasharray:3 3}
    .chart .bar-total{fill:var(--fg);font-size:11px;font-weight:600}
    .chart .mk-aa{fill:var(--mk-aa)}.chart .mk-na{fill:var(--mk-na)}.chart .mk-smart{fill:var(--mk-smart)}
    .chart .mk-caduceus{fill:var(--mk-caduceus)}.chart .mk-therapy{fill:var(--mk-therapy)}.chart .mk-peer{fill:var(--mk-peer)}
    .chart .mk-other{fill:var(--mk-other)}.chart .mk-unspecified{fill:var(--mk-unspecified)}
    .sw.mk-aa{background:var(--mk-aa)}.sw.mk-na{background:var(--mk-na)}.sw.mk-smart{background:var(--mk-smart)}
    .sw.mk-caduceus{background:var(--mk-caduceus)}.sw.mk-therapy{background:var(--mk-therapy)}.sw.mk-peer{background:var(--mk-peer)}
    .sw.mk-other{background:var(--mk-other)}.sw.mk-unspecified{background:var(--mk-unspecified)}
    .chart .med-taken{fill:var(--med-taken)}.chart .med-missed{fill:var(--med-missed)}.chart .med-none{fill:var(--med-none)}
    .chart .med-unreported{fill:none;stroke:var(--muted);stroke-width:1}
    .chart .med-nocheckin{fill:none;stroke:var(--band-missed);stroke-dasharray:2 2}
    .chart .med-mark{fill:#fff;font-size:12px;font-weight:700}
    .sw.med-taken{background:var(--med-taken)}.sw.med-missed{background:var(--med-missed)}.sw.med-none{background:var(--med-none)}
    .sw.med-unreported{border:1px solid var(--muted)}.sw.med-nocheckin{border:1px dashed var(--band-missed)}
    .sw.band-missed{background:var(--band-missed);opacity:.5}
    .sw.sleep{background:var(--sleep)}.sw.sleep-short{background:var(--sleep-short)}
    .hard{list-style:none;margin:0;padding:0;display:grid;gap:8px}
    .hard li{border:1px solid var(--line);border-left:5px solid var(--hard-fg);border-radius:6px;padding:8px 12px;break-inside:avoid}
    .hard li.used{border-left-color:var(--used-fg)}
    .hard .when{font-weight:600}
    .free{white-space:pre-wrap;overflow-wrap:anywhere}
    table{border-collapse:collapse;width:100%;font-size:13px}
    thead{display:table-header-group}
    th,td{text-align:left;padding:5px 5px;border-bottom:1px solid var(--grid);vertical-align:top}
    th{font-weight:600;border-bottom:2px solid var(--line);background:var(--panel)}
    td.num,th.num{text-align:right}
    tr{break-inside:avoid}
    .table-wrap{overflow-x:auto}
    td.day,td.status{white-space:nowrap}
    td.checkin{min-width:7em;max-width:10em}
    td.day .wd,.small{color:var(--muted);font-size:12px}
    tr.has-text td{border-bottom:none;padding-bottom:2px}
    tr.text-row td{padding-top:0;color:var(--muted);font-size:12.5px}
    tr.missed td{color:var(--missed-fg)}
    tr.not-counted td,tr.future td{color:var(--muted)}
    .pill{display:inline-block;border-radius:999px;padding:1px 8px;font-size:12px;font-weight:600;white-space:nowrap}
    .p-sober{background:var(--sober-bg);color:var(--sober-fg)}
    .p-hard-day{background:var(--hard-bg);color:var(--hard-fg)}
    .p-used{background:var(--used-bg);color:var(--used-fg)}
    .p-missed{border:1px dashed var(--missed-fg);color:var(--missed-fg)}
    .p-pending,.p-future{border:1px solid var(--line);color:var(--muted)}
    .p-late{background:var(--late-bg);color:var(--late-fg);white-space:normal}
    .summary{display:grid;grid-template-columns:1fr max-content;gap:0;max-width:560px;margin:0}
    .summary dt,.summary dd{padding:5px 0;border-bottom:1px solid var(--grid);margin:0}
    .summary dd{text-align:right;font-weight:600}
    footer{margin-top:40px;padding-top:12px;border-top:1px solid var(--line);color:var(--muted);font-size:13px}
    @media print{
    :root{--bg:#fff;--fg:#000;--muted:#374151;--line:#9ca3af;--grid:#d1d5db;--panel:#f3f4f6;--sober-bg:#d1fae5;\
    --sober-fg:#064e3b;--hard-bg:#fde68a;--hard-fg:#713f12;--used-bg:#fecaca;--used-fg:#7f1d1d;--missed-bg:#fff;\
    --missed-fg:#1f2937;--mood:#1d4ed8;--craving:#b45309;--accent:#1e3a8a;--band-missed:#9ca3af;--band-future:#e5e7eb;\
    --notice-bg:#fff7ed;--late-bg:#fef3c7;--late-fg:#78350f;--sleep:#4f46e5;--sleep-short:#d97706;--med-none:#d1d5db;\
    --mk-other:#4b5563;--mk-unspecified:#9ca3af;--mk-aa:#1d4ed8;--mk-na:#0f766e;--mk-smart:#7c3aed;--mk-caduceus:#be185d;\
    --mk-therapy:#b45309;--mk-peer:#15803d;--med-taken:#15803d;--med-missed:#b91c1c}
    @page{margin:14mm 12mm}
    html{background:#fff}
    body{max-width:none;padding:0;font-size:10.5pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
    section{margin-top:0;break-before:page}
    section.first,section.follows{break-before:auto;margin-top:20px}
    h2{break-after:avoid}
    .cal{grid-template-columns:repeat(7,32px)}
    .cell{height:32px}
    .table-wrap{overflow:visible}
    table{font-size:8pt}
    th,td{padding:3px 3px}
    td.day .wd{display:block}
    td.checkin{min-width:0}
    .pill{padding:0 5px;font-size:7.5pt}
    }
    """
}
