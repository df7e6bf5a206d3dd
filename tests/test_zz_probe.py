import time
from django.core.cache import cache
def test_probe(make_article, client, settings):
    N = 200_000
    bodies = {"Mr.": "<p>" + "Mr. " * (N // 4) + "</p>", "paras": "<p>x</p>" * (N // 8), "word": "<p>" + "x" * N + "</p>",
              "links": '<p>' + '<a href="https://a.example/">a</a>' * (N // 36) + "</p>", "deep": "<blockquote>" * 32 + "x" + "</blockquote>" * 32,
              "brs": "<p>" + "a<br>" * (N // 5) + "</p>", "tables": "<table><tr><td>1</td></tr></table>" * (N // 34)}
    for name, body in bodies.items():
        t = time.perf_counter(); a = make_article("Hostile " + name, body=body); ts = time.perf_counter() - t
        t = time.perf_counter(); r = client.get(a.get_absolute_url()); tp = time.perf_counter() - t
        print(name, len(body), f"save {ts:.2f}s page {tp:.2f}s", r.status_code, len(r.content))
