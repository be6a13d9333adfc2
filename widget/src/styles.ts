/**
 * Everything lives inside the shadow root, so these selectors can be short and never meet the
 * host page. Colours are custom properties: the primary colour comes from the bot's config,
 * light/dark from its theme ('auto' follows prefers-color-scheme).
 */
export const css = `
:host{all:initial}
*{box-sizing:border-box;margin:0;padding:0;font:inherit;color:inherit;letter-spacing:normal}
[hidden]{display:none!important}
.w{--p:#4f46e5;--pt:#fff;--bg:#fff;--fg:#1f2937;--mut:#6b7280;--bb:#f1f3f7;--bd:#e5e7eb;--in:#fff;
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif,"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji";color:var(--fg);-webkit-font-smoothing:antialiased}
.w.dark{--bg:#111827;--fg:#e5e7eb;--mut:#9ca3af;--bb:#1f2937;--bd:#374151;--in:#0b1220}
@media (prefers-color-scheme:dark){.w.auto{--bg:#111827;--fg:#e5e7eb;--mut:#9ca3af;--bb:#1f2937;--bd:#374151;--in:#0b1220}}
button{cursor:pointer;background:none;border:0}
button:focus-visible,a:focus-visible,input:focus-visible,textarea:focus-visible,select:focus-visible{outline:2px solid var(--p);outline-offset:2px}
svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;flex:none}
.l{position:fixed;bottom:20px;right:20px;min-width:56px;height:56px;padding:0 15px;border-radius:28px;background:var(--p);color:var(--pt);
display:flex;align-items:center;justify-content:center;gap:8px;font-weight:600;font-size:15px;box-shadow:0 6px 20px rgba(0,0,0,.22);transition:transform .15s}
.l:hover{transform:scale(1.05)}
.l svg{width:26px;height:26px}
.l i{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;border-radius:10px;background:#ef4444;color:#fff;font:600 11px/20px system-ui,sans-serif;text-align:center;font-style:normal}
.left .l{right:auto;left:20px}
.p{position:fixed;bottom:88px;right:20px;width:380px;height:min(640px,calc(100vh - 108px));display:flex;flex-direction:column;
background:var(--bg);border-radius:16px;overflow:hidden;box-shadow:0 12px 48px rgba(0,0,0,.25),0 0 0 1px rgba(0,0,0,.05);animation:in .18s ease-out}
.left .p{right:auto;left:20px}
@keyframes in{from{opacity:0;transform:translateY(12px) scale(.98)}}
@media (prefers-reduced-motion:reduce){.p{animation:none}.l{transition:none}}
.h{display:flex;align-items:center;gap:12px;padding:16px;background:var(--p);color:var(--pt)}
.av{width:40px;height:40px;border-radius:50%;flex:none;display:flex;align-items:center;justify-content:center;background:rgba(255,255,255,.22);font-weight:700;font-size:17px;object-fit:cover}
.ht{flex:1;min-width:0}
.ht b{display:block;font-size:16px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.ht span{display:flex;align-items:center;gap:6px;font-size:12px;opacity:.9}
.ht span:before{content:"";width:8px;height:8px;border-radius:50%;background:#9ca3af}
.on .ht span:before{background:#22c55e}
.hb{width:36px;height:36px;border-radius:50%;display:flex;align-items:center;justify-content:center;color:inherit}
.hb:hover{background:rgba(255,255,255,.18)}
.ms{flex:1;overflow-y:auto;padding:16px;display:flex;flex-direction:column;gap:10px;overscroll-behavior:contain}
.m{display:flex;flex-direction:column;align-items:flex-start;max-width:85%}
.m.u{align-self:flex-end;align-items:flex-end}
.b{padding:10px 14px;border-radius:18px 18px 18px 4px;background:var(--bb);overflow-wrap:anywhere;white-space:normal}
.u .b{background:var(--p);color:var(--pt);border-radius:18px 18px 4px 18px;white-space:pre-wrap}
.s .b{background:none;color:var(--mut);font-size:12px;text-align:center;align-self:center}
.m.s{align-self:center;max-width:100%}
.b p+*,.b ul+*,.b ol+*,.b pre+*{margin-top:8px}
.b ul,.b ol{padding-left:20px}
.b strong{font-weight:700}.b em{font-style:italic}
.b a{color:var(--p);text-decoration:underline}
.u .b a{color:inherit}
.b code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:rgba(127,127,127,.16);padding:1px 4px;border-radius:4px}
.b pre{background:#0f172a;color:#e2e8f0;padding:10px;border-radius:8px;overflow-x:auto}
.b pre code{background:none;padding:0;white-space:pre}
.src{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px;font-size:12px;color:var(--mut);align-items:center}
.src a,.src span{display:inline-block;max-width:220px;padding:2px 10px;border:1px solid var(--bd);border-radius:12px;color:var(--fg);text-decoration:none;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.src a:hover{border-color:var(--p);color:var(--p)}
.who{display:flex;align-items:center;gap:6px;margin-bottom:4px;font-size:12px;font-weight:600;color:var(--mut)}
.who span{width:22px;height:22px;border-radius:50%;display:flex;align-items:center;justify-content:center;background:var(--p);color:var(--pt);font-size:11px}
.qr{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}
.qr button{padding:6px 12px;border:1px solid var(--p);border-radius:16px;color:var(--p);font-weight:600;font-size:13px}
.qr button:hover{background:var(--p);color:var(--pt)}
.fb{display:flex;gap:2px;margin-top:4px}
.fb button{width:28px;height:28px;border-radius:8px;display:flex;align-items:center;justify-content:center;color:var(--mut)}
.fb svg{width:16px;height:16px}
.fb button:hover{background:var(--bb)}
.fb [aria-pressed=true]{color:var(--p)}
.fb [aria-pressed=true] svg{fill:currentColor;fill-opacity:.2}
.fl{display:flex;flex-direction:column;gap:6px}.fl img{display:block;max-width:100%;max-height:240px;border-radius:8px}.fl audio,.fl video{max-width:100%}.fl a{color:inherit;text-decoration:underline;word-break:break-all}
.st{margin-top:4px;font-size:12px;color:#dc2626;display:flex;gap:6px;align-items:center}
.st button{color:var(--p);font-weight:600;text-decoration:underline}
.ty{display:flex;gap:4px;padding:14px 16px}
.ty i{width:7px;height:7px;border-radius:50%;background:var(--mut);animation:bl 1.2s infinite both}
.ty i:nth-child(2){animation-delay:.2s}.ty i:nth-child(3){animation-delay:.4s}
@keyframes bl{0%,80%,100%{opacity:.3;transform:translateY(0)}40%{opacity:1;transform:translateY(-3px)}}
.card{align-self:stretch;border:1px solid var(--bd);border-radius:12px;padding:14px;display:flex;flex-direction:column;gap:10px;background:var(--bg)}
.card h3{font-weight:600;font-size:14px}
.card label{display:flex;flex-direction:column;gap:4px;font-size:12px;color:var(--mut)}
.card input,.card select,.card textarea{font-size:14px;color:var(--fg);padding:8px 10px;border:1px solid var(--bd);border-radius:8px;background:var(--in);width:100%}
.card small{color:#dc2626}
.pri{align-self:flex-start;padding:8px 16px;border-radius:8px;background:var(--p);color:var(--pt);font-weight:600}
.stars{display:flex;gap:4px}
.stars button{color:#d1d5db;width:34px;height:34px;display:flex;align-items:center;justify-content:center}
.stars svg{width:28px;height:28px}
.stars .on{color:#f59e0b}.stars .on svg{fill:currentColor}
.c{display:flex;align-items:flex-end;gap:8px;padding:12px;border-top:1px solid var(--bd);background:var(--bg)}
.c textarea{flex:1;resize:none;max-height:120px;min-height:40px;padding:9px 14px;border:1px solid var(--bd);border-radius:20px;background:var(--in);color:var(--fg);font-size:14px;line-height:20px}
.c textarea:focus{border-color:var(--p);outline:none}
.c button{width:40px;height:40px;border-radius:50%;background:var(--p);color:var(--pt);display:flex;align-items:center;justify-content:center}
.c button:disabled{opacity:.45;cursor:default}
.c svg{width:18px;height:18px}
@media (max-width:480px){.w .p{inset:0;width:100%;height:100%;border-radius:0;animation:none}.open .l{display:none}}
`;
