#!/usr/bin/env python3
"""Writes the dialect conformance captures (midstream JSONL, one exchange
each) in this directory. Every body follows a real source byte for byte in
framing, line endings and field order; SOURCES.md cites each one. Run it
from this directory after editing a body; the .jsonl files are committed."""
import json

KEY = "AIzaSyFIXTURE-not-a-key-0000000000000"  # redacted by shape in reports

def cap(name, url, req_headers, status, res_headers, chunks, end="eof"):
    head = {"format": "midstream-capture", "version": 1, "source": name, "timed": False,
            "request": {"method": "POST", "url": url, "headers": req_headers},
            "response": {"status": status, "status_text": "OK" if status == 200 else "", "headers": res_headers, "at_us": 0}}
    lines = [json.dumps(head, ensure_ascii=False)]
    for c in chunks:
        lines.append(json.dumps({"t": "chunk", "at_us": 0, "text": c}, ensure_ascii=False))
    lines.append(json.dumps({"t": "end", "at_us": 0, "reason": end}))
    with open(name, "w") as f:
        f.write("\n".join(lines) + "\n")

GEM = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
GEM_REQ = {"Content-Type": ["application/json"], "X-Goog-Api-Key": [KEY]}
GEM_RES = {"Content-Type": ["text/event-stream"], "Server": ["scaffolding on HTTPServer2"],
           "X-Content-Type-Options": ["nosniff"], "Vary": ["Origin", "X-Origin", "Referer"]}
RID = "IZI2acSKMoWl0-kPmYj2yQc"

def usage(cand, thoughts=0):
    u = '"usageMetadata": {"promptTokenCount": 4,"candidatesTokenCount": %d,"totalTokenCount": %d,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 4}]' % (cand, 4 + cand + thoughts)
    if thoughts:
        u += ',"thoughtsTokenCount": %d' % thoughts
    return u + "}"

def chunk(text, cand, finish=None, thoughts=0):
    # Field order and spacing of louter's recorded gemini-2.5-flash stream.
    fr = '"finishReason": "%s",' % finish if finish else ""
    return ('data: {"candidates": [{"content": {"parts": [{"text": %s}],"role": "model"},%s"index": 0}],%s,"modelVersion": "gemini-2.5-flash","responseId": "%s"}\r\n\r\n'
            % (json.dumps(text), fr, usage(cand, thoughts), RID))

ERR503 = '{"error": {"code": 503, "message": "This model is currently experiencing high demand. Spikes in demand are usually temporary. Please try again later.", "status": "UNAVAILABLE"}}'

cap("gemini-sse-clean.jsonl", GEM, GEM_REQ, 200, GEM_RES, [
    chunk("Okay, here is a haiku about", 6, thoughts=312),
    chunk(" streams:\n\nBytes arrive in turn,\nEach chunk a small", 19, thoughts=312),
    chunk(" promise kept,\nThe last one says stop.", 27, finish="STOP", thoughts=312),
])

cap("gemini-sse-503-midstream.jsonl", GEM, GEM_REQ, 200, GEM_RES, [
    chunk("Okay, let's create a Tetris game in Python", 12, thoughts=2042),
    chunk(" for the console! We'll use the `curses` library", 24, thoughts=2042),
    "data: " + ERR503 + "\r\n\r\n",
])

cap("gemini-sse-429-resource-exhausted.jsonl", GEM, GEM_REQ, 200, GEM_RES, [
    chunk("Sure. The first step is", 6),
    'data: {"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}}\r\n\r\n',
])

# llmgateway #3616: the stream stops after a few chunks and the body ends
# with a pretty-printed JSON error, no data: prefix, no blank line.
cap("gemini-raw-json-tail.jsonl", GEM, GEM_REQ, 200, GEM_RES, [
    chunk("Here is the plan:", 5, thoughts=120),
    chunk("\n\n1. Read the", 9, thoughts=120),
    '{\n  "error": {\n    "code": 503,\n    "message": "This model is currently experiencing high demand. Spikes in demand are usually temporary. Please try again later.",\n    "status": "UNAVAILABLE"\n  }\n}\n',
])

cap("gemini-sse-cut.jsonl", GEM, GEM_REQ, 200, GEM_RES, [
    chunk("Okay, let's create a Tetris game", 8, thoughts=2042),
    chunk(" in Python for the console!", 14, thoughts=2042),
])

SAFETY = ('data: {"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "SAFETY","index": 0,'
          '"safetyRatings": [{"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "NEGLIGIBLE"},'
          '{"category": "HARM_CATEGORY_HARASSMENT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "HIGH","blocked": true}]}],'
          + usage(7) + ',"modelVersion": "gemini-2.5-flash","responseId": "%s"}\r\n\r\n' % RID)
cap("gemini-sse-safety.jsonl", GEM, GEM_REQ, 200, GEM_RES, [
    chunk("To do that you would first", 7),
    SAFETY,
])

cap("gemini-sse-max-tokens.jsonl", GEM, GEM_REQ, 200, GEM_RES, [
    chunk("Once upon a time, in a valley", 8),
    chunk(" between two rivers,", 12, finish="MAX_TOKENS"),
])

# Without alt=sse: one JSON array, pretty-printed, elements separated by
# "\n,\r\n", Content-Type application/json (hydra PR #855, nous PR #26).
def elem(text, cand, finish=None):
    fr = '        "finishReason": "%s",\n' % finish if finish else ""
    return ('{\n  "candidates": [\n    {\n      "content": {\n        "parts": [\n          {\n            "text": %s\n          }\n        ],\n        "role": "model"\n      },\n%s      "index": 0\n    }\n  ],\n'
            '  "usageMetadata": {\n    "promptTokenCount": 4,\n    "candidatesTokenCount": %d,\n    "totalTokenCount": %d\n  },\n  "modelVersion": "gemini-2.5-flash",\n  "responseId": "%s"\n}\n'
            % (json.dumps(text), fr.replace("        ", "      "), cand, cand + 4, RID))
ARR_URL = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent"
ARR_RES = dict(GEM_RES); ARR_RES["Content-Type"] = ["application/json; charset=UTF-8"]
cap("gemini-json-array.jsonl", ARR_URL, GEM_REQ, 200, ARR_RES, [
    "[" + elem("The sky is blue because", 5),
    ",\r\n" + elem(" air scatters short wavelengths most.", 12, finish="STOP"),
    "]",
])

VTX = "https://us-central1-aiplatform.googleapis.com/v1/projects/example-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
VTX_REQ = {"Content-Type": ["application/json"], "Authorization": ["Bearer ya29.FIXTURE-not-a-token"]}
def vchunk(text, cand, finish=None):
    fr = ',"finishReason": "%s"' % finish if finish else ""
    return ('data: {"candidates": [{"content": {"role": "model","parts": [{"text": %s}]}%s}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": %d,"totalTokenCount": %d,"trafficType": "ON_DEMAND"},"modelVersion": "gemini-2.5-flash","createTime": "2026-11-30T10:12:04.118234Z","responseId": "dCw4aZq8B_uM2PgP8e7xyQw"}\r\n\r\n'
            % (json.dumps(text), fr, cand, cand + 9))
cap("vertex-gemini-503-midstream.jsonl", VTX, VTX_REQ, 200, {"Content-Type": ["text/event-stream"], "Server": ["scaffolding on HTTPServer2"]}, [
    vchunk("Vertex AI streams the same", 6),
    vchunk(" GenerateContentResponse chunks", 10),
    "data: " + ERR503 + "\r\n\r\n",
])
cap("vertex-gemini-clean.jsonl", VTX, VTX_REQ, 200, {"Content-Type": ["text/event-stream"], "Server": ["scaffolding on HTTPServer2"]}, [
    vchunk("Paris is the capital", 5),
    vchunk(" of France.", 8, finish="STOP"),
])

OR_URL = "https://openrouter.ai/api/v1/responses"
OR_REQ = {"Content-Type": ["application/json"], "Authorization": ["Bearer sk-or-v1-FIXTURE0000000000000000000000000000000000000000000000000000000000"]}
OR_RES = {"Content-Type": ["text/event-stream"], "X-Generation-Id": ["gen-1764842112-Vb3kQx0Ryq2fN1mJcT7d"]}
def ev(obj):
    return "data: " + json.dumps(obj, separators=(",", ":")) + "\n\n"
resp = {"id": "resp_1234567890", "object": "response", "created_at": 1764842112, "model": "openai/o4-mini", "status": "in_progress", "output": []}
done = dict(resp, status="completed", output=[{"type": "message", "id": "msg_abc123", "status": "completed", "role": "assistant",
        "content": [{"type": "output_text", "text": "Hello! How can I help?", "annotations": []}]}],
        usage={"input_tokens": 12, "output_tokens": 8, "total_tokens": 20})
cap("openrouter-responses.jsonl", OR_URL, OR_REQ, 200, OR_RES, [
    ": OPENROUTER PROCESSING\n\n",
    ev({"type": "response.created", "response": resp, "sequence_number": 0}),
    ev({"type": "response.in_progress", "response": resp, "sequence_number": 1}),
    ev({"type": "response.output_item.added", "output_index": 0, "item": {"type": "message", "id": "msg_abc123", "status": "in_progress", "role": "assistant", "content": []}, "sequence_number": 2}),
    ev({"type": "response.content_part.added", "item_id": "msg_abc123", "output_index": 0, "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": []}, "sequence_number": 3}),
    ev({"type": "response.output_text.delta", "item_id": "msg_abc123", "output_index": 0, "content_index": 0, "delta": "Hello!", "sequence_number": 4}),
    ev({"type": "response.output_text.delta", "item_id": "msg_abc123", "output_index": 0, "content_index": 0, "delta": " How can I help?", "sequence_number": 5}),
    ev({"type": "response.output_text.done", "item_id": "msg_abc123", "output_index": 0, "content_index": 0, "text": "Hello! How can I help?", "sequence_number": 6}),
    ev({"type": "response.output_item.done", "output_index": 0, "item": done["output"][0], "sequence_number": 7}),
    ev({"type": "response.completed", "response": done, "sequence_number": 8}),
    "data: [DONE]\n\n",
])
