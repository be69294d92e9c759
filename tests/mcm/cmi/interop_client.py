"""CMI interop client on Python grpcio, for tests: reads a JSON list of calls on stdin, prints one JSON result per call.

Usage: python3 interop_client.py <stubs dir with cmi_pb2.py> <grpc target, e.g. 127.0.0.1:1234 or unix:///path>
Each call is {"service": "Machine", "method": "CreateMachine", "request": {...proto JSON...}}; each result is
{"code": "OK" | "<grpc status name>", "message": str, "response": {...proto JSON...} | null}.
Calls are made through a generic channel.unary_unary, so only the message stubs (protoc --python_out) are needed.
"""
import json
import sys

import grpc
from google.protobuf import json_format

sys.path.insert(0, sys.argv[1])
import cmi_pb2  # noqa: E402  (generated at test time)


def message_class(name):
    return getattr(cmi_pb2, name)


def main():
    target = sys.argv[2]
    calls = json.load(sys.stdin)
    results = []
    with grpc.insecure_channel(target) as channel:
        for call in calls:
            method = call["method"]
            req_cls = message_class(call.get("requestType", method + "Request"))
            res_cls = message_class(call.get("responseType", method + "Response"))
            stub = channel.unary_unary(
                "/cmi.v1.%s/%s" % (call["service"], method),
                request_serializer=req_cls.SerializeToString,
                response_deserializer=res_cls.FromString,
            )
            request = json_format.ParseDict(call.get("request", {}), req_cls())
            try:
                response = stub(request, timeout=30)
                results.append({
                    "code": "OK",
                    "message": "",
                    "response": json_format.MessageToDict(response, preserving_proto_field_name=True),
                })
            except grpc.RpcError as err:
                results.append({"code": err.code().name, "message": err.details() or "", "response": None})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
